//! Plugins in JavaScript and Python: `example-plugins/js-*` (npm + jco) and `example-plugins/py-*` (componentize-py), built into the same directory as the Rust components.
//!
//! A JS project is a directory with `package.json` + `package-lock.json` whose
//! `npm run build` writes `dist/plugin.wasm`; its tools are installed from the lock
//! file into its own `node_modules`. A Python project has `requirements.txt` (the pinned build tool),
//! `wit/` and `src/app.py`; its tools go into one venv, `target/tools/py-venv`.
//! `js-word-filter` becomes `js_word_filter.wasm`, like a crate name.
//!
//! Missing tools (no `npm`, no `python3`) are not an error for `plugins` and `test`:
//! the project is skipped, the reason is written to `target/plugins/skipped/<name>.txt`
//! (the host tests read it and say `SKIPPED`), and xtask repeats it at the end. For
//! `ci` they are an error, so CI always builds and tests every language.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

use crate::plugins::{out_dir, target_dir};
use crate::{project_root, run};

/// What a missing tool means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// Skip the project, loudly (`plugins`, `test`).
    Skip,
    /// Fail (`ci`).
    Fail,
}

/// A project that was not built, and why.
pub(crate) struct Skipped {
    pub component: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    JavaScript,
    Python,
}

struct Project {
    dir: PathBuf,
    language: Language,
}

impl Project {
    /// `js-word-filter` → `js_word_filter`.
    fn component(&self) -> String {
        self.dir.file_name().unwrap_or_default().to_string_lossy().replace('-', "_")
    }

    fn output(&self) -> PathBuf {
        out_dir().join(format!("{}.wasm", self.component()))
    }
}

/// Every JS and Python plugin project under `example-plugins/`, sorted.
fn projects() -> Vec<Project> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(project_root().join("example-plugins")) else { return found };
    for dir in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
        let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if name.starts_with("js-") && dir.join("package.json").is_file() {
            found.push(Project { dir, language: Language::JavaScript });
        } else if name.starts_with("py-") && dir.join("requirements.txt").is_file() {
            found.push(Project { dir, language: Language::Python });
        }
    }
    found.sort_by(|a, b| a.dir.cmp(&b.dir));
    found
}

fn skipped_dir() -> PathBuf {
    target_dir().join("skipped")
}

/// Build every JS and Python plugin whose tools are present.
pub(crate) fn build(missing: Missing) -> Result<Vec<Skipped>> {
    let _ = std::fs::remove_dir_all(skipped_dir());
    std::fs::create_dir_all(out_dir())?;
    let mut skipped = Vec::new();
    for project in projects() {
        let tool = match project.language {
            Language::JavaScript => which_missing(&["node", "npm"]),
            Language::Python => which_missing(&["python3"]),
        };
        if let Some(tool) = tool {
            let reason = format!(
                "`{tool}` is not on PATH, so {} was not built ({}); install {} to build and test it",
                project.dir.strip_prefix(project_root()).unwrap_or(&project.dir).display(),
                match project.language {
                    Language::JavaScript => "JavaScript",
                    Language::Python => "Python",
                },
                match project.language {
                    Language::JavaScript => "Node.js 20+ with npm",
                    Language::Python => "Python 3.10+ with venv and pip",
                }
            );
            if missing == Missing::Fail {
                bail!("{reason}");
            }
            println!("xtask: SKIPPING {}: {reason}", project.component());
            // A component left from an earlier build would be tested as if it were current.
            let _ = std::fs::remove_file(project.output());
            std::fs::create_dir_all(skipped_dir())?;
            std::fs::write(skipped_dir().join(format!("{}.txt", project.component())), format!("{reason}\n"))?;
            skipped.push(Skipped { component: format!("{}.wasm", project.component()), reason });
            continue;
        }
        match project.language {
            Language::JavaScript => build_js(&project)?,
            Language::Python => build_py(&project)?,
        }
    }
    Ok(skipped)
}

/// The first of `tools` that cannot be run with `--version`.
fn which_missing(tools: &[&'static str]) -> Option<&'static str> {
    tools.iter().copied().find(|tool| !Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Install the locked tools when `node_modules` is missing or older than the lock
/// file, then `npm run build` unless the component is newer than every input.
fn build_js(project: &Project) -> Result<()> {
    let dir = &project.dir;
    let lock = dir.join("package-lock.json");
    if !lock.is_file() {
        bail!("{}: no package-lock.json; run `npm install` there and commit the lock file", dir.display());
    }
    let installed = dir.join("node_modules/.package-lock.json");
    if mtime(&lock) > mtime(&installed) {
        // Not `npm ci`: npm 11 refuses this lock because optional platform packages that
        // were never published (e.g. `jco-node-fs-win32-x64-msvc`) cannot be in it.
        // `install --no-save` installs exactly the locked versions and never rewrites
        // the lock. `--ignore-scripts`: nothing in the tree needs an install script.
        run(Command::new("npm").current_dir(dir).args(["install", "--no-save", "--ignore-scripts", "--no-audit", "--no-fund"]))?;
    }
    let inputs = inputs(dir, &["src", "wit", "package.json", "package-lock.json"]);
    if newest(&inputs) <= mtime(&project.output()) {
        println!("xtask: {} is up to date", project.component());
        return Ok(());
    }
    run(Command::new("npm").current_dir(dir).args(["run", "build"]))?;
    copy_output(&dir.join("dist/plugin.wasm"), &project.output())
}

/// One venv for every Python plugin, with each project's pinned requirements, then
/// `componentize-py` unless the component is newer than every input.
fn build_py(project: &Project) -> Result<()> {
    let dir = &project.dir;
    let venv = target_dir().parent().expect("target/plugins has a parent").join("tools/py-venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    let requirements = dir.join("requirements.txt");
    let stamp = venv.join(format!(".installed-{}", project.component()));
    if std::fs::read(&requirements).ok() != std::fs::read(&stamp).ok() {
        run(Command::new(&python).args(["-m", "pip", "install", "--disable-pip-version-check", "-r"]).arg(&requirements))?;
        std::fs::copy(&requirements, &stamp).with_context(|| format!("writing {}", stamp.display()))?;
    }
    let inputs = inputs(dir, &["src", "wit", "requirements.txt"]);
    if newest(&inputs) <= mtime(&project.output()) {
        println!("xtask: {} is up to date", project.component());
        return Ok(());
    }
    let world = project.dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let out = dir.join("dist/plugin.wasm");
    std::fs::create_dir_all(dir.join("dist"))?;
    let mut cmd = Command::new(venv.join("bin/componentize-py"));
    // Only the app's own directory on the module path: nothing from the venv (or the
    // user's site-packages) is bundled by accident.
    cmd.current_dir(dir).args(["-d", "wit", "-w", &world, "componentize", "app", "-p", "src", "-o"]).arg(&out).env_remove("VIRTUAL_ENV");
    run(&mut cmd)?;
    copy_output(&out, &project.output())
}

fn copy_output(built: &Path, output: &Path) -> Result<()> {
    std::fs::copy(built, output).with_context(|| format!("copying {} to {}", built.display(), output.display()))?;
    Ok(())
}

/// `names` in `dir`, plus (through `wit/deps` symlinks) the repository's `wit/`.
fn inputs(dir: &Path, names: &[&str]) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    all.push(project_root().join("wit"));
    all
}

/// The newest modification time of the files under `paths` (following symlinks).
fn newest(paths: &[PathBuf]) -> Option<SystemTime> {
    let mut newest = None;
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(path) = stack.pop() {
        let Ok(meta) = std::fs::metadata(&path) else { continue };
        if meta.is_dir() {
            if path.file_name().is_some_and(|n| n == "deps") {
                continue; // symlinks to the repository's wit/, which `inputs` adds itself
            }
            stack.extend(std::fs::read_dir(&path).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()));
        } else if let Ok(modified) = meta.modified() {
            newest = newest.max(Some(modified));
        }
    }
    newest
}

/// When `path` was modified; `None` (older than anything) when it does not exist.
fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
