//! How an event or a socket closing leaves this node: straight to the hub on a single node; in cluster mode through the cluster's stream to every node (this one included), each delivering to its own connections.
//!
//! The recipients are always decided here, on the origin node, from the store; other
//! nodes only match them against their connections. An event about a post carries what
//! the receiving nodes' hold-back needs (`cluster::Causality`): which post it shows
//! first, or which post (created when) it depends on.

use serde_json::Value;

use super::Services;
use crate::cluster::Causality;
use crate::hub::{Event, Recipients};

impl Services {
    /// Deliver `event` to the connections of `recipients`, on every node in cluster mode.
    pub(crate) async fn deliver(&self, event: Event, recipients: Recipients) {
        match self.cluster() {
            None => self.hub().send(event, &recipients),
            Some(cluster) => {
                let causality = self.causality(&event).await;
                cluster.publish_event(event, &recipients, causality).await;
            }
        }
    }

    /// Close the sockets `user_id` opened with `session_id` (a session's or a token's
    /// id), here at once and on the other nodes through the bus. Returns how many were
    /// open here.
    pub(crate) async fn close_session_sockets(&self, user_id: &str, session_id: &str) -> usize {
        let closed = self.hub().close_session(user_id, session_id);
        if let Some(cluster) = self.cluster() {
            cluster.publish_close_session(user_id, session_id).await;
        }
        closed
    }

    /// Close every socket of `user_id`, here and on the other nodes. Returns how many
    /// were open here.
    pub(crate) async fn close_user_sockets(&self, user_id: &str) -> usize {
        let closed = self.hub().close_user(user_id);
        if let Some(cluster) = self.cluster() {
            cluster.publish_close_user(user_id).await;
        }
        closed
    }

    /// What `event` means for the order of post events on the receiving nodes.
    async fn causality(&self, event: &Event) -> Causality {
        match event.event.as_str() {
            "posted" | "ephemeral_message" => match post_field(&event.data, "post") {
                Some(post) => Causality::Creates { post_id: text(&post, "id") },
                None => Causality::Independent,
            },
            "post_edited" | "post_deleted" => match post_field(&event.data, "post") {
                Some(post) => Causality::DependsOn { post_id: text(&post, "id"), create_at: post["create_at"].as_i64().unwrap_or(0) },
                None => Causality::Independent,
            },
            // A reaction names its post but not when the post was made: read it (a
            // post the store no longer has cannot be waited for).
            "reaction_added" | "reaction_removed" => {
                let Some(reaction) = post_field(&event.data, "reaction") else { return Causality::Independent };
                let post_id = text(&reaction, "post_id");
                match self.store().get_post(&post_id).await {
                    Ok(post) => Causality::DependsOn { post_id, create_at: post.create_at },
                    Err(_) => Causality::Independent,
                }
            }
            _ => Causality::Independent,
        }
    }
}

/// A field Mattermost sends as JSON in a string (`"post": "{\"id\":…}"`), parsed.
fn post_field(data: &Value, name: &str) -> Option<Value> {
    data.get(name)?.as_str().and_then(|text| serde_json::from_str(text).ok())
}

fn text(value: &Value, name: &str) -> String {
    value[name].as_str().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::hub::BroadcastInfo;

    fn event(name: &str, data: Value) -> Event {
        Event { event: name.into(), data, broadcast: BroadcastInfo::default() }
    }

    #[tokio::test]
    async fn post_events_say_which_post_they_show_or_depend_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::connect(&crate::testing::sqlite_url(dir.path())).await.unwrap();
        let services = Services::new(store, std::sync::Arc::new(crate::hub::Hub::default()), super::super::Settings::default());
        let post = json!({ "id": "p1", "create_at": 42 }).to_string();
        assert_eq!(services.causality(&event("posted", json!({ "post": post }))).await, Causality::Creates { post_id: "p1".into() });
        assert_eq!(services.causality(&event("ephemeral_message", json!({ "post": post }))).await, Causality::Creates { post_id: "p1".into() });
        for name in ["post_edited", "post_deleted"] {
            assert_eq!(services.causality(&event(name, json!({ "post": post }))).await, Causality::DependsOn { post_id: "p1".into(), create_at: 42 }, "{name}");
        }
        let reaction = json!({ "post_id": "gone", "emoji_name": "+1" }).to_string();
        assert_eq!(services.causality(&event("reaction_added", json!({ "reaction": reaction }))).await, Causality::Independent, "no such post");
        assert_eq!(services.causality(&event("typing", json!({}))).await, Causality::Independent);
        assert_eq!(services.causality(&event("posted", json!({ "post": 5 }))).await, Causality::Independent, "malformed data");
    }
}
