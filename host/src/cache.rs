//! On-disk cache of precompiled components, keyed by the wasm's SHA-256 and the engine's compatibility hash.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Whether a load compiled or came from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Compiled with Cranelift (and written to the cache).
    Compiled,
    /// Deserialized from a cached artifact.
    Hit,
}

/// A directory of `<wasm-sha256>-<engine-hash>.cwasm` files. Only files this process
/// (or an earlier one with the same engine) wrote are ever deserialized.
#[derive(Debug, Clone)]
pub(crate) struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    pub(crate) fn new(dir: PathBuf) -> CompileCache {
        CompileCache { dir }
    }

    fn path_for(&self, engine: &Engine, wasm: &[u8]) -> PathBuf {
        let wasm_hash = hex::encode(Sha256::digest(wasm));
        // The compatibility hash covers the wasmtime version and every engine setting
        // that changes generated code, so an upgrade never loads a stale artifact.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        self.dir.join(format!("{wasm_hash}-{:016x}.cwasm", hasher.finish()))
    }

    /// Load `wasm` from the cache or compile it and store the artifact. Blocking:
    /// call from a blocking thread.
    pub(crate) fn load_or_compile(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<(Component, CacheOutcome)> {
        let path = self.path_for(engine, wasm);
        if let Ok(bytes) = read_artifact(&path) {
            // SAFETY: the file is named by the hash of its source and was written by
            // `store` below through an atomic rename, so it is a complete artifact
            // this engine produced; wasmtime also checks its header and version.
            match unsafe { Component::deserialize(engine, &bytes) } {
                Ok(component) => return Ok((component, CacheOutcome::Hit)),
                Err(e) => tracing::warn!(path = %path.display(), error = %e, "discarding unusable cached component"),
            }
        }
        let component = Component::new(engine, wasm)?;
        if let Err(e) = self.store(&path, &component) {
            tracing::warn!(path = %path.display(), error = %e, "could not cache compiled component");
        }
        Ok((component, CacheOutcome::Compiled))
    }

    fn store(&self, path: &Path, component: &Component) -> std::io::Result<()> {
        let bytes = component.serialize().map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&self.dir)?;
        let mut tmp = tempfile_in(&self.dir)?;
        tmp.1.write_all(&bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, path)
    }
}

/// Read a cached artifact into an anonymous mapping of its own, dropped (unmapped) as
/// soon as wasmtime has copied it into its code memory.
///
/// Not a mapping of the file itself: a mapped file truncated underneath a running server
/// (a cache cleanup, a full disk) would take the process down with SIGBUS. Not a `Vec`
/// either: artifacts are hundreds of KiB, and the allocator keeps such freed buffers in
/// its per-thread arenas, so loading many plugins at once (start-up) would leave
/// megabytes resident that hold nothing.
fn read_artifact(path: &Path) -> std::io::Result<memmap2::MmapMut> {
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
    if len == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "empty artifact"));
    }
    let mut buffer = memmap2::MmapOptions::new().len(len).map_anon()?;
    // A file cut short while being read fails here and counts as a cache miss.
    std::io::Read::read_exact(&mut file, &mut buffer)?;
    Ok(buffer)
}

/// A uniquely named temporary file next to the cache entries, so the final rename is atomic.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(".tmp-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let path = dir.join(name);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    Ok((path, file))
}
