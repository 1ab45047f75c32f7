//! Plugin bundle extraction (`bundle/extract.rs`): any archive is extracted into a fresh directory; nothing may appear outside it, nothing inside may be a link, and the entry and size bounds hold whether it succeeds or fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use confab_server::plugins::bundle::{BundleLimits, extract};

/// Small bounds, so an input that hits them does so quickly.
const LIMITS: BundleLimits = BundleLimits { max_entries: 64, max_unpacked_bytes: 64 * 1024 };

/// `data[0]` odd: the rest is the `.tar.gz` as uploaded; even: the rest is a tar,
/// gzipped here (so the fuzzer mutates tar headers, not compressed bits).
pub fn check(data: &[u8]) {
    let [mode, rest @ ..] = data else { return };
    let bundle = if mode & 1 == 1 { rest.to_vec() } else { gzip(rest) };
    let case = scratch().join(CASE.fetch_add(1, Ordering::Relaxed).to_string());
    let dest = case.join("dest");
    std::fs::create_dir_all(&dest).expect("create the destination");
    let result = extract(&bundle, &dest, LIMITS);
    let outside: Vec<_> = std::fs::read_dir(&case).expect("read the case directory").filter_map(Result::ok).map(|e| e.file_name()).collect();
    assert_eq!(outside, ["dest"], "extraction wrote outside its destination");
    let (files, bytes) = walk(&dest);
    assert!(files <= LIMITS.max_entries, "{files} files written, limit {} entries", LIMITS.max_entries);
    assert!(bytes <= LIMITS.max_unpacked_bytes, "{bytes} bytes written, limit {}", LIMITS.max_unpacked_bytes);
    if let Ok(root) = result {
        assert!(root == dest || root.parent() == Some(dest.as_path()), "the plugin root {} is not the destination or a folder in it", root.display());
        assert!(root.join("plugin.json").is_file(), "an accepted bundle has no plugin.json at its root");
    }
    std::fs::remove_dir_all(&case).expect("clean up the case directory");
}

/// Files under `dir` and the bytes in them (directories are not counted: a deep path
/// makes several from one entry); panics on a link or anything that is neither a file
/// nor a directory.
fn walk(dir: &Path) -> (usize, u64) {
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(dir).expect("read an extracted directory") {
        let entry = entry.expect("a directory entry");
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() {
            let (f, b) = walk(&entry.path());
            files += f;
            bytes += b;
        } else {
            assert!(kind.is_file(), "extraction created {} which is neither a file nor a directory ({kind:?})", entry.path().display());
            files += 1;
            bytes += entry.metadata().expect("metadata").len();
        }
    }
    (files, bytes)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

static CASE: AtomicU64 = AtomicU64::new(0);

/// A directory for this process' cases, in memory when `/dev/shm` exists; kept for the
/// process' life (the fuzzer runs until it is stopped).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new("/dev/shm");
        let dir = if base.is_dir() { tempfile::Builder::new().prefix("confab-fuzz-").tempdir_in(base) } else { tempfile::tempdir() };
        dir.expect("a scratch directory").keep()
    })
}
