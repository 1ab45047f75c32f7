//! `confab marketplace build DIR`: write a marketplace index for a folder of bundles, so an organisation can host its own marketplace (the index plus the bundles on any static web server, or the index as a file).

use std::path::PathBuf;

use anyhow::Context;

/// `confab marketplace ...`
#[derive(Debug, clap::Subcommand)]
pub enum MarketplaceCommand {
    /// Write `index.json` for every `*.tar.gz` in DIR (signatures from `<bundle>.sig`).
    Build {
        /// The folder of bundles.
        dir: PathBuf,
        /// URL the bundles will be served under; download URLs are this plus the file
        /// name. Without it they are bare file names.
        #[arg(long, default_value = "")]
        base_url: String,
        /// Where to write the index. Defaults to `DIR/index.json`.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Run a marketplace subcommand.
pub fn run(command: MarketplaceCommand) -> anyhow::Result<()> {
    match command {
        MarketplaceCommand::Build { dir, base_url, out } => {
            let index = crate::plugins::marketplace::build_index(&dir, &base_url, &super::server_version())?;
            let out = out.unwrap_or_else(|| dir.join("index.json"));
            std::fs::write(&out, serde_json::to_vec_pretty(&index)?).with_context(|| format!("cannot write {}", out.display()))?;
            println!("wrote {} ({} plugins)", out.display(), index.len());
            Ok(())
        }
    }
}
