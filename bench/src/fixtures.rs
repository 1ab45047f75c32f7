//! Plugin directories for the benchmarks, made from the built example components.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ has a parent").to_path_buf()
}

/// A built component (`cargo xtask plugins`).
pub fn wasm(name: &str) -> anyhow::Result<PathBuf> {
    let path = repo_root().join("target/plugins/wasm32-wasip2/release").join(format!("{name}.wasm"));
    anyhow::ensure!(path.exists(), "{} is missing: run `cargo xtask plugins` first", path.display());
    Ok(path)
}

/// A copy of the word-filter example under plugin id `id`, in `root/<id>`.
pub fn word_filter(root: &Path, id: &str) -> anyhow::Result<PathBuf> {
    copy_as(root, id, "example-plugins/word-filter", "word_filter")
}

/// A copy of the fx-jobs fixture (scheduled jobs, timed runs) under plugin id `id`, in
/// `root/<id>`, asking for a 10 s hook deadline: B13's setup schedules 100 jobs (100
/// database writes) in one `serve-http` call.
pub fn jobs(root: &Path, id: &str) -> anyhow::Result<PathBuf> {
    let dir = copy_as(root, id, "tests/plugins/fx-jobs", "fx_jobs")?;
    let path = dir.join("plugin.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    manifest["limits"] = serde_json::json!({ "deadline_ms": 10_000 });
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?)?;
    Ok(dir)
}

/// The plugin whose sources are in `source` (its `plugin.json`) and whose component is
/// `<wasm_name>.wasm`, under plugin id `id`, in `root/<id>`.
fn copy_as(root: &Path, id: &str, source: &str, wasm_name: &str) -> anyhow::Result<PathBuf> {
    let dir = root.join(id);
    std::fs::create_dir_all(&dir)?;
    let manifest_text = std::fs::read_to_string(repo_root().join(source).join("plugin.json"))?;
    let mut manifest: serde_json::Value = serde_json::from_str(&manifest_text)?;
    manifest["id"] = id.into();
    std::fs::write(dir.join("plugin.json"), serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::copy(wasm(wasm_name)?, dir.join("server.wasm"))?;
    Ok(dir)
}

/// The fx-consume fixture (a trivial `messages-will-be-consumed`) in `root/fx.consume`.
pub fn consumer(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join("fx.consume");
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(repo_root().join("tests/plugins/fx-consume/plugin.json"), dir.join("plugin.json"))?;
    std::fs::copy(wasm("fx_consume")?, dir.join("server.wasm"))?;
    Ok(dir)
}

/// The settings word-filter runs with when nothing is saved (its schema defaults).
pub const WORD_FILTER_SETTINGS: &str = r#"{"replacements":"darn=d*rn, heck=h*ck","blocked_phrases":""}"#;

/// A 200-byte message with one word the filter replaces.
pub fn message_200() -> String {
    let text = format!("darn {}", "lorem ipsum dolor sit amet ".repeat(8));
    text[..200].to_string()
}
