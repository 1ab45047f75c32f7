//! The `autolink` example plugin in a real server: a system admin adds a pattern with `/autolink add` (kept through save-settings, so the admin API shows it), posts and edits get their matches linked outside code and existing links, others may not manage links, and a deleted link stops applying.

use confab_e2e::{Backend, TestDir, TestServer, User, on_both_backends};
use serde_json::json;

on_both_backends!(patterns_become_links_on_post_and_edit);

const PLUGIN: &str = "com.confab.autolink";
const JIRA: &str = "https://jira.example.com/browse";

async fn autolink(server: &TestServer, user: &User, channel_id: &str, line: &str) -> String {
    let (status, answer) = server.post_as("/api/v4/commands/execute", &user.token, &json!({ "channel_id": channel_id, "command": line })).await;
    assert_eq!(status, 200, "{line}: {answer}");
    answer["text"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string()
}

/// Posts `message` as `user`; the stored message.
async fn post(server: &TestServer, user: &User, channel_id: &str, message: &str) -> (String, String) {
    let (status, post) = server.post_as("/api/v4/posts", &user.token, &json!({ "channel_id": channel_id, "message": message })).await;
    assert_eq!(status, 201, "{post}");
    (post["id"].as_str().unwrap().to_string(), post["message"].as_str().unwrap().to_string())
}

async fn patterns_become_links_on_post_and_edit(backend: Backend) {
    let dir = TestDir::new();
    dir.install_plugin("example-plugins/autolink", "autolink.wasm");
    let Some(server) = TestServer::start_on(&dir, backend, "autolink::links").await else { return };
    let admin = server.signup("alice").await;
    let bob = server.signup("bob").await;
    let (_, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let team_id = team["id"].as_str().unwrap();
    server.post_as(&format!("/api/v4/teams/{team_id}/members"), &bob.token, &json!({ "team_id": team_id, "user_id": bob.id })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{team_id}/channels/name/town-square"), &admin.token).await;
    let channel = town["id"].as_str().unwrap();

    assert_eq!(autolink(&server, &bob, channel, "/autolink list").await, "Only system admins may use /autolink.");
    assert!(autolink(&server, &admin, channel, "/autolink list").await.starts_with("No links yet"));
    let invalid = autolink(&server, &admin, channel, "/autolink add bad MM-( x").await;
    assert!(invalid.contains("not a valid regular expression"), "{invalid}");
    let template = format!("[${{key}}-${{id}}]({JIRA}/${{key}}-${{id}})");
    let added = autolink(&server, &admin, channel, &format!(r"/autolink add jira (?P<key>MM)-(?P<id>\d+) {template}")).await;
    assert_eq!(added, format!(r"Added **jira**: `(?P<key>MM)-(?P<id>\d+)` → `{template}`"));
    assert!(autolink(&server, &admin, channel, "/autolink add jira x y").await.contains("exists"));
    assert_eq!(autolink(&server, &admin, channel, "/autolink list").await, format!(r"- **jira**: `(?P<key>MM)-(?P<id>\d+)` → `{template}`"));

    // Kept with save-settings: the admin API shows what the command saved.
    let (status, settings) = server.get_as(&format!("/api/v4/plugins/{PLUGIN}/settings"), &admin.token).await;
    assert_eq!(status, 200, "{settings}");
    let links = settings.to_string();
    assert!(links.contains(r#""name":"jira""#) && links.contains(r#""enable_on_update":true"#), "{settings}");

    // Posted: linked, but not inside code or an existing link, nor glued to other words.
    let (post_id, message) = post(&server, &bob, channel, "Fixed MM-12 and MM-13, not `MM-14`, [MM-15](https://x.example.com) or xMM-16.").await;
    assert_eq!(message, format!("Fixed [MM-12]({JIRA}/MM-12) and [MM-13]({JIRA}/MM-13), not `MM-14`, [MM-15](https://x.example.com) or xMM-16."));
    let (_, stored) = server.get_as(&format!("/api/v4/posts/{post_id}"), &bob.token).await;
    assert_eq!(stored["message"], message.as_str(), "the linked text is what is stored");

    // Edited: the new text is linked too, and the links already there stay as they are.
    let edited_text = format!("{message} Also MM-20.");
    let (status, edited) = server.put_as(&format!("/api/v4/posts/{post_id}/patch"), &bob.token, &json!({ "message": edited_text })).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["message"], format!("{message} Also [MM-20]({JIRA}/MM-20)."));

    let tested = autolink(&server, &admin, channel, "/autolink test MM-7").await;
    assert_eq!(tested, format!("That would be posted as:\n[MM-7]({JIRA}/MM-7)"));

    assert_eq!(autolink(&server, &admin, channel, "/autolink delete jira").await, "Deleted **jira**.");
    assert_eq!(post(&server, &bob, channel, "MM-30 stays").await.1, "MM-30 stays");
    server.stop().await;
}
