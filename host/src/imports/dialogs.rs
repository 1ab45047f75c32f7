//! `dialogs`: open an interactive dialog from a user's trigger id, its submission routed back to this plugin's `serve-http`; capability `dialogs`.
//!
//! The host pins the submission URL to the calling plugin: a plugin may name a path of
//! its own (`/submit`, or `/plugins/<own id>/submit` as Mattermost plugins write it),
//! never another plugin's route or an outside URL, so a user's answers reach only the
//! plugin that asked. The server checks the trigger id and the dialog itself.

use super::WitResult;
use crate::bindings::confab::plugin::dialogs::Host;
use crate::bindings::types::Error;
use crate::capabilities::Capability;
use crate::state::HostState;

/// `/plugins/<plugin_id>/...` for a path the plugin named, or why it is refused.
pub(crate) fn submission_url(plugin_id: &str, path: &str) -> Result<String, String> {
    let own = format!("/plugins/{plugin_id}");
    let rest = match path.strip_prefix(&own) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
        _ if path.starts_with("/plugins/") => return Err(format!("a dialog's submissions go to this plugin's own routes ({own}/...), not {path}")),
        _ => path,
    };
    if !rest.is_empty() && !rest.starts_with('/') {
        return Err(format!("the dialog path must start with `/`: {path}"));
    }
    Ok(format!("{own}{rest}"))
}

impl Host for HostState {
    async fn open(&mut self, trigger_id: String, path: String, dialog: String) -> wasmtime::Result<WitResult<()>> {
        if let Err(e) = self.require(Capability::Dialogs) {
            return Ok(Err(e));
        }
        let url = match submission_url(self.plugin_id(), &path) {
            Ok(url) => url,
            Err(why) => return Ok(Err(Error::InvalidInput(why))),
        };
        let dialog: serde_json::Value = match serde_json::from_str(&dialog) {
            Ok(value @ serde_json::Value::Object(_)) => value,
            _ => return Ok(Err(Error::InvalidInput("the dialog must be a JSON object (Mattermost's `Dialog`)".into()))),
        };
        Ok(self.api.open_dialog(self.plugin_id(), &trigger_id, &url, dialog).await.map_err(Error::from))
    }
}

#[cfg(test)]
mod tests {
    use super::submission_url;

    #[test]
    fn submissions_go_to_the_plugins_own_routes() {
        assert_eq!(submission_url("p", "/submit").unwrap(), "/plugins/p/submit");
        assert_eq!(submission_url("p", "/plugins/p/submit?x=1").unwrap(), "/plugins/p/submit?x=1");
        assert_eq!(submission_url("p", "/plugins/p").unwrap(), "/plugins/p");
        assert_eq!(submission_url("p", "").unwrap(), "/plugins/p");
        assert!(submission_url("p", "/plugins/other/submit").is_err());
        assert!(submission_url("p", "/plugins/p.evil/submit").is_err(), "another id with ours as a prefix");
        assert!(submission_url("p", "https://evil.example/collect").is_err());
        assert!(submission_url("p", "submit").is_err());
    }
}
