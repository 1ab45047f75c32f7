//! `confab`: the server binary — parse the command line, set up logging, bind the listener, run until ctrl-c or SIGTERM.

use anyhow::Context;
use clap::{Parser, Subcommand};
use confab_server::Config;
use tracing_subscriber::EnvFilter;

/// Log events from this binary under the library's target, so the default filter
/// (`confab_server=info,...`) shows them.
const LOG_TARGET: &str = "confab_server";

/// A Mattermost-compatible chat server with sandboxed WebAssembly plugins.
#[derive(Parser)]
#[command(name = "confab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server. (Boxed: the settings are far bigger than the other commands.)
    Serve(Box<Config>),
    /// Write, bundle and sign plugins; install and manage them on a running server.
    #[command(subcommand)]
    Plugin(confab_server::cli::plugin::PluginCommand),
    /// Build a marketplace index for a folder of bundles.
    #[command(subcommand)]
    Marketplace(confab_server::cli::marketplace::MarketplaceCommand),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // The settings file holds server settings: only `serve` reads it.
    let args = if args.get(1).is_some_and(|a| a == "serve") { confab_server::config::with_config_file(args)? } else { args };
    let config = match Cli::parse_from(args).command {
        Command::Serve(config) => *config,
        Command::Plugin(command) => return confab_server::cli::plugin::run(command).await,
        Command::Marketplace(command) => return confab_server::cli::marketplace::run(command),
    };
    let filter = EnvFilter::try_new(&config.log).with_context(|| format!("invalid log filter `{}`", config.log))?;
    tracing_subscriber::fmt().with_env_filter(filter).init();

    let listener = tokio::net::TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    confab_server::run(config, listener, shutdown_signal()).await?;
    Ok(())
}

/// Resolves on ctrl-c, or SIGTERM (what service managers and container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(target: LOG_TARGET, error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(target: LOG_TARGET, error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!(target: LOG_TARGET, "shutdown requested: no new connections, finishing requests in flight");
}
