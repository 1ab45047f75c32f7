//! Writing a bundle: a plugin directory as a `.tar.gz` with one top-level folder named after the plugin, the layout `confab plugin pack` and the marketplace builder produce.

use std::io::Write;
use std::path::Path;

/// `dir` as a `.tar.gz` whose entries live under `top/`. Only regular files and
/// directories are packed (what extraction accepts); symbolic links are followed, so
/// a development checkout may link its built component in. Entries are sorted and
/// their times zeroed, so the same files always give the same bytes (and signature).
pub fn pack_dir(dir: &Path, top: &str) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()));
    builder.follow_symlinks(true);
    add_dir(&mut builder, dir, Path::new(top))?;
    let encoder = builder.into_inner()?;
    let mut bytes = encoder.finish()?;
    bytes.flush()?;
    Ok(bytes)
}

fn add_dir<W: Write>(builder: &mut tar::Builder<W>, dir: &Path, prefix: &Path) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_mode(0o755);
    header.set_size(0);
    header.set_mtime(0);
    builder.append_data(&mut header, prefix, std::io::empty())?;
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = prefix.join(entry.file_name());
        let meta = std::fs::metadata(&path)?;
        if meta.is_dir() {
            add_dir(builder, &path, &name)?;
        } else if meta.is_file() {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Regular);
            header.set_mode(0o644);
            header.set_size(meta.len());
            header.set_mtime(0);
            builder.append_data(&mut header, &name, std::fs::File::open(&path)?)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugins::bundle::{BundleLimits, extract};

    #[test]
    fn packed_directories_extract_to_the_same_files() {
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("plugin.json"), "{}").unwrap();
        std::fs::create_dir_all(src.path().join("public/img")).unwrap();
        std::fs::write(src.path().join("public/img/a.svg"), "<svg/>").unwrap();
        let bytes = pack_dir(src.path(), "com.example.p").unwrap();
        assert_eq!(bytes, pack_dir(src.path(), "com.example.p").unwrap(), "deterministic");
        let out = tempfile::tempdir().unwrap();
        let root = extract(&bytes, out.path(), BundleLimits::default()).unwrap();
        assert_eq!(root, out.path().join("com.example.p"), "the single top-level folder is the root");
        assert_eq!(std::fs::read_to_string(root.join("public/img/a.svg")).unwrap(), "<svg/>");
    }
}
