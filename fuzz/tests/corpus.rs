//! Every seed (`fuzz/seeds/<target>/`) and every input a fuzzing run found a fault with (`fuzz/regressions/<target>/`) through its target's checks, under plain `cargo test`: the fuzz targets build and hold on every machine, fuzzing tools or not.

use std::path::Path;

#[test]
fn every_seed_and_regression_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut ran = 0;
    for (name, check) in confab_fuzz::TARGETS {
        let seeds = inputs(&root.join("seeds").join(name));
        assert!(!seeds.is_empty(), "target {name} has no seeds in fuzz/seeds/{name}");
        for (path, data) in seeds.into_iter().chain(inputs(&root.join("regressions").join(name))) {
            // A panic names the input, so a failing one can be replayed with `cargo fuzz run <target> <file>`.
            eprintln!("{name}: {}", path.display());
            check(&data);
            ran += 1;
        }
    }
    eprintln!("{ran} inputs passed");
}

/// The files in `dir` (none when it does not exist), sorted for a stable order.
fn inputs(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("read a corpus file"))).collect()
}
