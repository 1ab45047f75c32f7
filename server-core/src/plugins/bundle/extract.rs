//! Checked `.tar.gz` extraction: regular files and directories only, relative paths that stay inside the destination, bounded entry count and unpacked size.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use confab_host::manifest::MANIFEST_FILE;

/// Bounds on what one bundle may unpack to. A gzip stream can expand a
/// thousandfold, so the unpacked size is counted as it is written, not trusted from
/// headers.
#[derive(Debug, Clone, Copy)]
pub struct BundleLimits {
    /// Most entries (files and directories).
    pub max_entries: usize,
    /// Most bytes of file content in all.
    pub max_unpacked_bytes: u64,
}

impl Default for BundleLimits {
    fn default() -> Self {
        BundleLimits { max_entries: 4_096, max_unpacked_bytes: 256 * 1024 * 1024 }
    }
}

/// Why a bundle was refused. Each names the offending entry so an author can fix it.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a gzip-compressed tar, or truncated.
    #[error("the bundle is not a readable .tar.gz: {0}")]
    Corrupt(String),
    /// An entry climbs out of the bundle (`..`).
    #[error("entry `{0}` escapes the bundle (path traversal)")]
    Traversal(String),
    /// An entry has an absolute path.
    #[error("entry `{0}` has an absolute path")]
    Absolute(String),
    /// Symbolic and hard links are refused: they could point outside the plugin.
    #[error("entry `{0}` is a link; bundles may contain only regular files and directories")]
    Link(String),
    /// Device files, FIFOs and other special entries.
    #[error("entry `{path}` is a {kind}; bundles may contain only regular files and directories")]
    Special {
        /// The entry.
        path: String,
        /// What it is.
        kind: String,
    },
    /// The same path twice (the second would silently replace the first).
    #[error("entry `{0}` appears twice")]
    Duplicate(String),
    /// More entries than allowed.
    #[error("the bundle has more than {0} entries")]
    TooManyEntries(usize),
    /// More unpacked bytes than allowed.
    #[error("the bundle unpacks to more than {0} bytes")]
    TooLarge(u64),
    /// No `plugin.json` at the top (after stripping a single top-level folder).
    #[error("the bundle has no plugin.json at its top level (or inside a single top-level folder)")]
    NoManifest,
    /// Writing the extracted files failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Extract `bytes` (a `.tar.gz`) into `dest`, which must exist and be empty, and
/// return the plugin's root: `dest` itself, or the single top-level folder when that
/// is all the bundle holds (Mattermost strips it too). Nothing is ever written outside
/// `dest`; on error, what was written inside it is the caller's to remove.
pub fn extract(bytes: &[u8], dest: &Path, limits: BundleLimits) -> Result<PathBuf, BundleError> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let entries = archive.entries().map_err(|e| BundleError::Corrupt(e.to_string()))?;
    let mut count = 0usize;
    let mut written: u64 = 0;
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| BundleError::Corrupt(e.to_string()))?;
        count += 1;
        if count > limits.max_entries {
            return Err(BundleError::TooManyEntries(limits.max_entries));
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let relative = safe_relative(&raw)?;
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            return Err(BundleError::Link(raw));
        }
        let Some(relative) = relative else {
            // "./" or "": the bundle root itself.
            if kind.is_dir() {
                continue;
            }
            return Err(BundleError::Traversal(raw));
        };
        if !seen.insert(relative.clone()) {
            if kind.is_dir() {
                continue;
            }
            return Err(BundleError::Duplicate(raw));
        }
        let target = dest.join(&relative);
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(|source| BundleError::Io { path: target.clone(), source })?;
            continue;
        }
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            let what = match kind {
                tar::EntryType::Char => "character device",
                tar::EntryType::Block => "block device",
                tar::EntryType::Fifo => "FIFO",
                _ => "special entry",
            };
            return Err(BundleError::Special { path: raw, kind: what.to_string() });
        }
        let remaining = limits.max_unpacked_bytes.saturating_sub(written);
        if entry.header().size().unwrap_or(u64::MAX) > remaining {
            return Err(BundleError::TooLarge(limits.max_unpacked_bytes));
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| BundleError::Io { path: parent.to_path_buf(), source })?;
        }
        // `create_new`: never follow or replace anything already there.
        let mut file =
            std::fs::OpenOptions::new().write(true).create_new(true).open(&target).map_err(|source| BundleError::Io { path: target.clone(), source })?;
        // Read one byte past the budget so a lying header is caught too.
        let copied = std::io::copy(&mut (&mut entry).take(remaining + 1), &mut file).map_err(|source| BundleError::Io { path: target.clone(), source })?;
        if copied > remaining {
            return Err(BundleError::TooLarge(limits.max_unpacked_bytes));
        }
        written += copied;
    }
    if dest.join(MANIFEST_FILE).is_file() {
        return Ok(dest.to_path_buf());
    }
    let top: Vec<PathBuf> =
        std::fs::read_dir(dest).map_err(|source| BundleError::Io { path: dest.to_path_buf(), source })?.filter_map(Result::ok).map(|e| e.path()).collect();
    match top.as_slice() {
        [single] if single.is_dir() && single.join(MANIFEST_FILE).is_file() => Ok(single.clone()),
        _ => Err(BundleError::NoManifest),
    }
}

/// The entry's path as a relative path of normal components, `None` for the root.
fn safe_relative(raw: &str) -> Result<Option<PathBuf>, BundleError> {
    if raw.starts_with('/') || raw.starts_with('\\') || raw.as_bytes().get(1) == Some(&b':') {
        return Err(BundleError::Absolute(raw.to_string()));
    }
    let mut out = PathBuf::new();
    for component in Path::new(raw).components() {
        match component {
            Component::Normal(part) => {
                if part.to_string_lossy().contains('\\') {
                    return Err(BundleError::Traversal(raw.to_string()));
                }
                out.push(part);
            }
            Component::CurDir => {}
            Component::ParentDir => return Err(BundleError::Traversal(raw.to_string())),
            Component::RootDir | Component::Prefix(_) => return Err(BundleError::Absolute(raw.to_string())),
        }
    }
    Ok(if out.as_os_str().is_empty() { None } else { Some(out) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(safe_relative("a/b.txt").unwrap(), Some(PathBuf::from("a/b.txt")));
        assert_eq!(safe_relative("./a/./b").unwrap(), Some(PathBuf::from("a/b")));
        assert_eq!(safe_relative("./").unwrap(), None);
        assert!(matches!(safe_relative("../x"), Err(BundleError::Traversal(_))));
        assert!(matches!(safe_relative("a/../../x"), Err(BundleError::Traversal(_))));
        assert!(matches!(safe_relative("/etc/passwd"), Err(BundleError::Absolute(_))));
        assert!(matches!(safe_relative("C:/x"), Err(BundleError::Absolute(_))));
        assert!(matches!(safe_relative("a\\..\\x"), Err(BundleError::Traversal(_))));
    }
}
