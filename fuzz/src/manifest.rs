//! Plugin manifests (`plugin.json`, `host/src/manifest.rs`): any text is parsed and validated; an accepted manifest must survive a JSON round trip, still validate, and have an id that is a safe directory name.

use confab_host::manifest::{Manifest, is_valid_plugin_id};

/// `data` is the manifest text (lossy UTF-8).
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let version = semver::Version::new(0, 1, 0);
    let Ok(manifest) = Manifest::parse(&text, &version) else { return };
    assert!(is_valid_plugin_id(&manifest.id), "an accepted manifest has an invalid id {:?}", manifest.id);
    assert!(!manifest.id.contains(['/', '\\']) && manifest.id != "." && manifest.id != "..", "a plugin id is used as a directory name: {:?}", manifest.id);
    assert_eq!(manifest.id, manifest.id.to_lowercase(), "ids are lower-cased on read");
    let json = serde_json::to_string(&manifest).expect("a manifest serializes");
    match Manifest::parse(&json, &version) {
        Ok(back) => assert_eq!(back, manifest, "a manifest changed through JSON"),
        Err(e) => panic!("a manifest that validated no longer does after a JSON round trip: {e}"),
    }
    let _ = manifest.capabilities();
    let _ = manifest.settings_with_defaults(&serde_json::Map::new());
}
