//! `confab plugin ...`: start a plugin project (`new`), build and bundle it (`pack`), make and use signing keys (`keygen`, `sign`), and administer a running server's plugins (`install`, `list`, `enable`, `disable`, `remove`, `status`, `approve`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use confab_host::Manifest;

use super::admin::{Admin, ServerArgs};
use crate::plugins::bundle::{pack_dir, signature};

/// `confab plugin ...`
#[derive(Debug, clap::Subcommand)]
pub enum PluginCommand {
    /// Create a ready Rust plugin project (Cargo.toml, src/lib.rs, plugin.json, README).
    New {
        /// Crate and directory name, e.g. `my-plugin`.
        name: String,
        /// Plugin id. Defaults to `com.example.<name>`.
        #[arg(long)]
        id: Option<String>,
        /// Where to create it. Defaults to `./<name>`.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The `confab-plugin` SDK: a local path, or a git URL. Defaults to the
        /// `sdk-rust` directory of the checkout this binary was built from.
        #[arg(long)]
        sdk: Option<String>,
    },
    /// Build a plugin project for wasm32-wasip2 (Rust: cargo; JavaScript: `npm run
    /// build`; Python: componentize-py) and write `<id>-<version>.tar.gz`.
    Pack {
        /// The project (with `plugin.json`).
        dir: PathBuf,
        /// The bundle to write. Defaults to `<id>-<version>.tar.gz` in the current directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Do not build: bundle the component already at `server.wasm` in the manifest.
        #[arg(long)]
        no_build: bool,
        /// The componentize-py world of a Python project. Defaults to the directory name.
        #[arg(long)]
        world: Option<String>,
    },
    /// Make an ed25519 key pair: PATH (secret, keep it private) and PATH.pub (give it
    /// to servers with `--plugin-signature-public-keys`).
    Keygen {
        /// Where to write the secret key.
        #[arg(long, default_value = "confab-plugin-key")]
        out: PathBuf,
    },
    /// Sign a bundle: writes `<bundle>.sig` (base64 ed25519 over the exact bytes).
    Sign {
        /// The `.tar.gz`.
        bundle: PathBuf,
        /// The secret key file from `keygen`.
        #[arg(long)]
        key: PathBuf,
    },
    /// Install a bundle (a file, or an http(s) URL the server downloads).
    Install {
        /// Bundle file or URL.
        bundle: String,
        /// Replace an installed plugin with the same id (hot swap if it runs).
        #[arg(long)]
        force: bool,
        /// Signature file. Defaults to `<bundle>.sig` when it exists.
        #[arg(long)]
        signature: Option<PathBuf>,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// List installed plugins, active and inactive.
    List {
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Enable a plugin (it starts running).
    Enable {
        id: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Disable a plugin (it stops; its commands go).
    Disable {
        id: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Approve the permissions a plugin (or its staged upgrade) requests.
    Approve {
        id: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Remove a plugin: its files, settings, KV data and commands.
    Remove {
        id: String,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Every installed plugin's state (2 running, 0 not running, 3 failed to start, 4 quarantined).
    Status {
        #[command(flatten)]
        server: ServerArgs,
    },
}

/// Run a plugin subcommand.
pub async fn run(command: PluginCommand) -> anyhow::Result<()> {
    match command {
        PluginCommand::New { name, id, dir, sdk } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from(&name));
            let id = id.unwrap_or_else(|| format!("com.example.{name}"));
            new_project(&dir, &name, &id, &sdk.unwrap_or_else(default_sdk))?;
            println!("created {} (plugin id {id}); build a bundle with `confab plugin pack {}`", dir.display(), dir.display());
        }
        PluginCommand::Pack { dir, out, no_build, world } => {
            let (bundle, path) = pack(&dir, out.as_deref(), !no_build, world.as_deref())?;
            println!("wrote {} ({} bytes)", path.display(), bundle.len());
        }
        PluginCommand::Keygen { out } => {
            let (secret, public) = signature::generate_key_pair().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            let public_path = PathBuf::from(format!("{}.pub", out.display()));
            write_secret(&out, &secret)?;
            std::fs::write(&public_path, format!("{public}\n")).with_context(|| format!("cannot write {}", public_path.display()))?;
            println!("secret key: {} (keep private)\npublic key: {}", out.display(), public_path.display());
        }
        PluginCommand::Sign { bundle, key } => {
            let text = std::fs::read_to_string(&key).with_context(|| format!("cannot read {}", key.display()))?;
            let key = signature::parse_secret_key(&text).map_err(|e| anyhow::anyhow!("{}: {e}", key.display()))?;
            let bytes = std::fs::read(&bundle).with_context(|| format!("cannot read {}", bundle.display()))?;
            let sig_path = PathBuf::from(format!("{}.sig", bundle.display()));
            std::fs::write(&sig_path, format!("{}\n", signature::sign(&bytes, &key))).with_context(|| format!("cannot write {}", sig_path.display()))?;
            println!("wrote {}", sig_path.display());
        }
        PluginCommand::Install { bundle, force, signature, server } => {
            let admin = Admin::new(&server)?;
            let manifest = if bundle.starts_with("http://") || bundle.starts_with("https://") {
                admin.install_url(&bundle, force).await?
            } else {
                admin.install_file(Path::new(&bundle), signature.as_deref(), force).await?
            };
            println!(
                "installed {} {} (requests: {})",
                manifest["id"].as_str().unwrap_or_default(),
                manifest["version"].as_str().unwrap_or_default(),
                manifest["permissions"].as_array().map(|p| p.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default()
            );
        }
        PluginCommand::List { server } => {
            let list = Admin::new(&server)?.list().await?;
            for (state, plugins) in [("active", &list["active"]), ("inactive", &list["inactive"])] {
                for p in plugins.as_array().into_iter().flatten() {
                    println!("{state:<8} {:<40} {}", p["id"].as_str().unwrap_or_default(), p["version"].as_str().unwrap_or_default());
                }
            }
        }
        PluginCommand::Enable { id, server } => report(Admin::new(&server)?.action(&id, "enable").await?, &format!("enabled {id}")),
        PluginCommand::Disable { id, server } => report(Admin::new(&server)?.action(&id, "disable").await?, &format!("disabled {id}")),
        PluginCommand::Approve { id, server } => {
            let result = Admin::new(&server)?.action(&id, "permissions/approve").await?;
            println!("{id}: granted {}", result["granted"]);
        }
        PluginCommand::Remove { id, server } => report(Admin::new(&server)?.remove(&id).await?, &format!("removed {id}")),
        PluginCommand::Status { server } => {
            for s in Admin::new(&server)?.statuses().await?.as_array().into_iter().flatten() {
                let error = s["error"].as_str().unwrap_or_default();
                println!(
                    "{:<40} {:<10} state {}{}",
                    s["plugin_id"].as_str().unwrap_or_default(),
                    s["version"].as_str().unwrap_or_default(),
                    s["state"],
                    if error.is_empty() { String::new() } else { format!("  ({error})") }
                );
            }
        }
    }
    Ok(())
}

fn report(_body: serde_json::Value, what: &str) {
    println!("{what}");
}

fn write_secret(path: &Path, secret: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))?;
    std::io::Write::write_all(&mut file, format!("{secret}\n").as_bytes())?;
    Ok(())
}

/// The SDK of the checkout this binary was built from. The SDK is not published to
/// crates.io yet, so a path (or `--sdk <git url>`) is the only way to depend on it.
fn default_sdk() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(|root| root.join("sdk-rust").display().to_string()).unwrap_or_else(|| "../sdk-rust".into())
}

/// Write a new plugin project.
pub fn new_project(dir: &Path, name: &str, id: &str, sdk: &str) -> anyhow::Result<()> {
    if dir.exists() {
        bail!("{} already exists", dir.display());
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || name.is_empty() {
        bail!("`{name}` is not a crate name (letters, digits, '-', '_')");
    }
    let manifest = serde_json::json!({
        "id": id,
        "name": name,
        "description": format!("{name}: answers `!{name}` in any channel."),
        "version": "0.1.0",
        "min_server_version": env!("CARGO_PKG_VERSION"),
        "server": { "wasm": "server.wasm" },
        "permissions": ["bots", "posts:write"],
        "settings_schema": { "settings": [
            { "key": "reply", "display_name": "Reply", "type": "text", "help_text": "What the bot answers.", "default": "pong" }
        ]}
    });
    Manifest::parse(&manifest.to_string(), &super::server_version()).context("the template manifest is invalid (bad --id?)")?;
    let sdk_dep = if sdk.starts_with("http://") || sdk.starts_with("https://") || sdk.starts_with("git@") {
        format!("confab-plugin = {{ git = \"{sdk}\" }}")
    } else {
        format!("confab-plugin = {{ path = \"{}\" }}", sdk.replace('\\', "/"))
    };
    std::fs::create_dir_all(dir.join("src")).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = [
        ("Cargo.toml", CARGO_TEMPLATE.replace("{name}", name).replace("{sdk_dep}", &sdk_dep)),
        ("plugin.json", serde_json::to_string_pretty(&manifest)? + "\n"),
        ("src/lib.rs", LIB_TEMPLATE.replace("{name}", name)),
        ("README.md", README_TEMPLATE.replace("{name}", name).replace("{id}", id)),
        (".gitignore", "/target\n*.tar.gz\n*.sig\n".to_string()),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text).with_context(|| format!("cannot write {file}"))?;
    }
    Ok(())
}

const CARGO_TEMPLATE: &str = r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

# A plugin is a WebAssembly component: `confab plugin pack .` builds it with
# `cargo build --release --target wasm32-wasip2` and bundles it with plugin.json.
[lib]
crate-type = ["cdylib"]

[dependencies]
{sdk_dep}

# Not part of any enclosing workspace.
[workspace]

[profile.release]
# Small components load and compile faster.
opt-level = "s"
lto = true
codegen-units = 1
strip = "debuginfo"
# wasm32-wasip2 cannot unwind; a panic traps and the host discards that instance.
panic = "abort"
"#;

const LIB_TEMPLATE: &str = r#"//! The `{name}` plugin: when someone posts `!{name}`, its bot answers in the channel
//! with the `reply` setting (default "pong").

use confab_plugin::prelude::*;
use confab_plugin::{bots, config, log, posts};

#[derive(Default)]
struct App;

fn bot_id() -> Result<String> {
    // Idempotent: the same bot every time, created on first use.
    bots::ensure_bot("{name}-bot", "{name}", "Answers !{name}.")
}

#[plugin]
impl Plugin for App {
    fn activate(&self) -> Result<(), String> {
        bot_id().map_err(|e| e.to_string())?;
        log::info("{name} activated", &[]);
        Ok(())
    }

    fn message_has_been_posted(&self, post: &HookPost) {
        // `HookPost` fetches only the fields read here, so this hook stays cheap.
        if post.message().trim() != "!{name}" {
            return;
        }
        let reply = config::settings_value()
            .ok()
            .and_then(|s| s.get("reply").and_then(|r| r.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "pong".to_owned());
        let answer = bot_id().and_then(|bot| posts::create(&Post::new(post.channel_id(), reply).by(bot)));
        if let Err(e) = answer {
            log::error("could not answer", &[("error", &e.to_string())]);
        }
    }
}
"#;

const README_TEMPLATE: &str = r#"# {name}

A Confab plugin (id `{id}`): when someone posts `!{name}` in a channel, its bot answers.

```sh
rustup target add wasm32-wasip2          # once
confab plugin pack .                     # builds, writes {id}-0.1.0.tar.gz
confab plugin install {id}-0.1.0.tar.gz --url http://127.0.0.1:8065 --token $TOKEN
confab plugin approve {id} --url http://127.0.0.1:8065 --token $TOKEN   # bots, posts:write
confab plugin enable {id} --url http://127.0.0.1:8065 --token $TOKEN
```

Then post `!{name}` in any channel. Change `src/lib.rs`, pack again and install with
`--force`: the new version replaces the old one without a restart.
"#;

/// Build (unless `build` is false) and bundle the project in `dir`; returns the
/// bundle and where it was written.
pub fn pack(dir: &Path, out: Option<&Path>, build: bool, world: Option<&str>) -> anyhow::Result<(Vec<u8>, PathBuf)> {
    let manifest_text = std::fs::read_to_string(dir.join("plugin.json")).with_context(|| format!("{} has no plugin.json", dir.display()))?;
    let manifest = Manifest::parse(&manifest_text, &super::server_version()).context("plugin.json is invalid")?;
    let server = manifest.server.as_ref().context("plugin.json has no `server.wasm`")?;
    let component = if !build {
        dir.join(&server.wasm)
    } else if dir.join("Cargo.toml").is_file() {
        build_rust(dir)?
    } else if dir.join("package.json").is_file() {
        run_tool(Command::new("npm").current_dir(dir).args(["run", "build"]))?;
        dir.join("dist/plugin.wasm")
    } else if dir.join("src/app.py").is_file() {
        let world = world
            .map(str::to_string)
            .unwrap_or_else(|| dir.canonicalize().ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned())).unwrap_or_default());
        std::fs::create_dir_all(dir.join("dist"))?;
        run_tool(Command::new("componentize-py").current_dir(dir).args([
            "-d",
            "wit",
            "-w",
            &world,
            "componentize",
            "app",
            "-p",
            "src",
            "-o",
            "dist/plugin.wasm",
        ]))?;
        dir.join("dist/plugin.wasm")
    } else {
        bail!("{} is neither a Rust (Cargo.toml), JavaScript (package.json) nor Python (src/app.py) project; use --no-build to bundle as is", dir.display());
    };
    let staging = tempfile_dir()?;
    let result = (|| {
        std::fs::write(staging.join("plugin.json"), &manifest_text)?;
        let target = staging.join(&server.wasm);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(&component, &target).with_context(|| format!("cannot copy the component {}", component.display()))?;
        for extra in ["webapp", "assets", "public"] {
            if dir.join(extra).is_dir() {
                copy_tree(&dir.join(extra), &staging.join(extra))?;
            }
        }
        if !manifest.icon_path.is_empty() && dir.join(&manifest.icon_path).is_file() && !staging.join(&manifest.icon_path).exists() {
            let target = staging.join(&manifest.icon_path);
            std::fs::create_dir_all(target.parent().unwrap_or(&staging))?;
            std::fs::copy(dir.join(&manifest.icon_path), target)?;
        }
        let bundle = pack_dir(&staging, &manifest.id)?;
        let path = out.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(format!("{}-{}.tar.gz", manifest.id, manifest.version)));
        std::fs::write(&path, &bundle).with_context(|| format!("cannot write {}", path.display()))?;
        Ok((bundle, path))
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("confab-pack-{}", crate::ids::new_id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let meta = std::fs::metadata(entry.path())?;
        if meta.is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        } else if meta.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

fn run_tool(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("cannot run {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// `cargo build --release --target wasm32-wasip2`, returning the cdylib's `.wasm` as
/// cargo reports it (so any target dir or workspace layout works).
fn build_rust(dir: &Path) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(["build", "--release", "--target", "wasm32-wasip2", "--message-format", "json-render-diagnostics"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!("cargo build failed ({}); is the target installed? `rustup target add wasm32-wasip2`", output.status);
    }
    let mut wasm = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if message["reason"] == "compiler-artifact" && message["target"]["crate_types"].as_array().is_some_and(|t| t.iter().any(|c| c == "cdylib")) {
            wasm = message["filenames"].as_array().into_iter().flatten().filter_map(|f| f.as_str()).find(|f| f.ends_with(".wasm")).map(PathBuf::from);
        }
    }
    wasm.context("cargo built no cdylib .wasm (is `crate-type = [\"cdylib\"]` set?)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_writes_a_project_that_packs_without_building() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("echo");
        new_project(&dir, "echo", "com.example.echo", "/sdk").unwrap();
        assert!(std::fs::read_to_string(dir.join("Cargo.toml")).unwrap().contains(r#"confab-plugin = { path = "/sdk" }"#));
        assert!(std::fs::read_to_string(dir.join("src/lib.rs")).unwrap().contains("!echo"));
        assert!(new_project(&dir, "echo", "com.example.echo", "/sdk").is_err(), "never overwrites");
        std::fs::write(dir.join("server.wasm"), b"component").unwrap();
        let out = tmp.path().join("echo.tar.gz");
        let (bundle, _) = pack(&dir, Some(&out), false, None).unwrap();
        let unpacked = tmp.path().join("unpacked");
        std::fs::create_dir(&unpacked).unwrap();
        let root = crate::plugins::bundle::extract(&bundle, &unpacked, Default::default()).unwrap();
        assert_eq!(std::fs::read(root.join("server.wasm")).unwrap(), b"component");
        assert!(Manifest::load(&root, &crate::cli::server_version()).is_ok());
    }
}
