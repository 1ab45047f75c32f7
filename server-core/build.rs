//! Rebuild the server when the embedded web client (`webapp/dist`, see `src/api/webapp.rs`) changes: `include_dir!` cannot tell cargo itself.

fn main() {
    println!("cargo:rerun-if-changed=../webapp/dist");
}
