//! Plugin states with Mattermost's numbers, and the status record shown to admins.

use serde::{Deserialize, Serialize};

/// Mattermost's `PluginStatus.state` values; serialized as the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PluginState {
    /// 0: installed but not running (disabled or deactivated).
    NotRunning,
    /// 1: being loaded and activated.
    Starting,
    /// 2: serving hooks.
    Running,
    /// 3: load or `activate` failed; `error` says why.
    FailedToStart,
    /// 4: quarantined after repeated failures.
    FailedToStayRunning,
    /// 5: deactivating.
    Stopping,
}

impl PluginState {
    /// The wire number.
    pub fn code(self) -> u8 {
        match self {
            PluginState::NotRunning => 0,
            PluginState::Starting => 1,
            PluginState::Running => 2,
            PluginState::FailedToStart => 3,
            PluginState::FailedToStayRunning => 4,
            PluginState::Stopping => 5,
        }
    }

    /// Inverse of [`PluginState::code`].
    pub fn from_code(code: u8) -> Option<PluginState> {
        Some(match code {
            0 => PluginState::NotRunning,
            1 => PluginState::Starting,
            2 => PluginState::Running,
            3 => PluginState::FailedToStart,
            4 => PluginState::FailedToStayRunning,
            5 => PluginState::Stopping,
            _ => return None,
        })
    }
}

impl Serialize for PluginState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

impl<'de> Deserialize<'de> for PluginState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = u8::deserialize(d)?;
        PluginState::from_code(code).ok_or_else(|| serde::de::Error::custom(format!("unknown plugin state {code}")))
    }
}

/// Mattermost's `PluginStatus` (the server adds `cluster_id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginStatus {
    pub plugin_id: String,
    pub plugin_path: String,
    pub state: PluginState,
    pub error: String,
    pub name: String,
    pub description: String,
    pub version: String,
}
