//! The `confab:plugin` contract versions this host serves, and which one a component was built against.
//!
//! A component names the version in every import and export (`confab:plugin/log@0.1.0`);
//! the host reads those names before linking and picks the linker and bindings of that
//! version. A component that names a version this host does not serve, or several
//! versions at once, is refused with an error listing the served ones.

use std::collections::BTreeSet;
use std::fmt;

use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::LoadError;

/// The WIT package every plugin builds against.
pub const WIT_PACKAGE: &str = "confab:plugin";

/// A served version of the `confab:plugin` contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WitVersion {
    /// The first released contract, frozen in `wit/since_v0_1_0/`.
    V0_1_0,
    /// The current contract in `wit/`.
    V0_2_0,
}

impl WitVersion {
    /// Every served version, oldest first.
    pub const SERVED: [WitVersion; 2] = [WitVersion::V0_1_0, WitVersion::V0_2_0];

    /// The version of `wit/`, which the SDK and new plugins target.
    pub const LATEST: WitVersion = WitVersion::V0_2_0;

    /// `0.1.0`, `0.2.0`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            WitVersion::V0_1_0 => "0.1.0",
            WitVersion::V0_2_0 => "0.2.0",
        }
    }

    /// The version as semver, for compatibility checks.
    pub fn semver(self) -> semver::Version {
        semver::Version::parse(self.as_str()).expect("served versions are valid semver")
    }

    /// The served version spelled `text`, if any.
    pub fn parse(text: &str) -> Option<WitVersion> {
        WitVersion::SERVED.into_iter().find(|v| v.as_str() == text)
    }

    /// The served versions as `0.1.0, 0.2.0`, for error messages.
    pub fn served_list() -> String {
        WitVersion::SERVED.map(WitVersion::as_str).join(", ")
    }

    /// The full name of `interface` in this version, e.g. `confab:plugin/kv@0.2.0`.
    pub fn interface_name(self, interface: &str) -> String {
        format!("{WIT_PACKAGE}/{interface}@{}", self.as_str())
    }
}

impl fmt::Display for WitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `confab:plugin` version in an import or export name, e.g. `0.1.0` in
/// `confab:plugin/kv@0.1.0`; `None` for other packages (WASI) and for unversioned names.
pub fn version_in_name(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(WIT_PACKAGE)?.strip_prefix('/')?;
    let (_, version) = rest.split_once('@')?;
    Some(version)
}

/// Every `confab:plugin` version `component` names in its imports and exports.
pub(crate) fn referenced(component: &Component, engine: &Engine) -> BTreeSet<String> {
    let ty = component.component_type();
    let imports = ty.imports(engine).map(|(name, _)| name);
    let exports = ty.exports(engine).map(|(name, _)| name);
    imports.chain(exports).filter_map(version_in_name).map(str::to_string).collect()
}

/// The served version `component` was built against. A component that names no
/// `confab:plugin` interface at all links against the latest version.
pub(crate) fn detect(component: &Component, engine: &Engine, plugin_id: &str) -> Result<WitVersion, LoadError> {
    let found = referenced(component, engine);
    let unsupported = |found: String| LoadError::UnsupportedWitVersion { plugin_id: plugin_id.to_string(), found, served: WitVersion::served_list() };
    let mut versions = found.iter();
    match (versions.next(), versions.next()) {
        (None, _) => Ok(WitVersion::LATEST),
        (Some(only), None) => WitVersion::parse(only).ok_or_else(|| unsupported(only.clone())),
        (Some(_), Some(_)) => Err(unsupported(found.into_iter().collect::<Vec<_>>().join(" and "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_version_of_confab_names_only() {
        assert_eq!(version_in_name("confab:plugin/kv@0.1.0"), Some("0.1.0"));
        assert_eq!(version_in_name("confab:plugin/message-hooks@0.2.0"), Some("0.2.0"));
        assert_eq!(version_in_name("wasi:io/streams@0.2.0"), None);
        assert_eq!(version_in_name("confab:plugin/kv"), None);
        assert_eq!(version_in_name("confab:plugins/kv@0.1.0"), None);
    }

    #[test]
    fn served_versions_parse_and_list() {
        assert_eq!(WitVersion::parse("0.1.0"), Some(WitVersion::V0_1_0));
        assert_eq!(WitVersion::parse("0.2.0"), Some(WitVersion::LATEST));
        assert_eq!(WitVersion::parse("0.3.0"), None);
        assert_eq!(WitVersion::served_list(), "0.1.0, 0.2.0");
        assert_eq!(WitVersion::V0_1_0.interface_name("kv"), "confab:plugin/kv@0.1.0");
    }

    #[test]
    fn latest_is_the_version_of_wit() {
        let world = include_str!("../../wit/world.wit");
        assert!(world.contains(&format!("package {WIT_PACKAGE}@{};", WitVersion::LATEST)), "wit/world.wit is not {}", WitVersion::LATEST);
        let frozen = include_str!("../../wit/since_v0_1_0/world.wit");
        assert!(frozen.contains("package confab:plugin@0.1.0;"));
    }
}
