//! Message attachments on ordinary posts: stored as Mattermost stores them (type `slack_attachment`, `props.attachments`, numbered, action ids assigned, Slack's loose field types normalised), refused with Mattermost's error when invalid.

use confab_e2e::{Backend, TestDir, TestServer, on_both_backends};
use serde_json::json;

on_both_backends!(attachments_are_normalised_numbered_and_validated);

async fn attachments_are_normalised_numbered_and_validated(backend: Backend) {
    let dir = TestDir::new();
    let Some(server) = TestServer::start_on(&dir, backend, "attachments::stored").await else { return };
    let admin = server.signup("root").await;
    let (_, team) = server.post_as("/api/v4/teams", &admin.token, &json!({ "name": "eng", "display_name": "Eng", "type": "O" })).await;
    let (_, town) = server.get_as(&format!("/api/v4/teams/{}/channels/name/town-square", team["id"].as_str().unwrap()), &admin.token).await;
    let channel_id = town["id"].as_str().unwrap();

    let attachments = json!([
        { "fallback": "build 7 passed", "color": "good", "title": "Build 7", "title_link": "https://ci.example.com/7",
          "fields": [{ "title": "Duration", "value": 93, "short": "true" }],
          "actions": [{ "name": "Re-run", "integration": { "url": "https://ci.example.com/rerun", "context": { "build": 7 } } }] },
        { "text": "second" },
    ]);
    let (status, post) =
        server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": "", "props": { "attachments": attachments } })).await;
    assert_eq!(status, 201, "{post}");
    assert_eq!(post["type"], "slack_attachment");
    let stored = &post["props"]["attachments"];
    assert_eq!((stored[0]["id"].as_i64(), stored[1]["id"].as_i64()), (Some(1), Some(2)));
    assert_eq!(stored[0]["fields"][0]["value"], "93", "numbers are stringified");
    assert_eq!(stored[0]["fields"][0]["short"], true);
    let action_id = stored[0]["actions"][0]["id"].as_str().unwrap();
    assert_eq!(action_id.len(), 26, "an id is assigned: {action_id}");

    let (status, fetched) = server.get_as(&format!("/api/v4/posts/{}", post["id"].as_str().unwrap()), &admin.token).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["props"]["attachments"][0]["actions"][0]["id"], action_id, "the id is stored");

    let (_, before) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &admin.token).await;
    for bad in [
        json!([{ "color": "chartreuse" }]),
        json!([{ "title_link": "https://x.example.com/" }]),
        json!([{ "actions": [{ "name": "No integration" }] }]),
        json!({ "not": "a list" }),
    ] {
        let (status, error) =
            server.post_as("/api/v4/posts", &admin.token, &json!({ "channel_id": channel_id, "message": "x", "props": { "attachments": bad } })).await;
        assert_eq!(status, 400, "{bad} is refused: {error}");
        assert!(error["id"].as_str().unwrap().starts_with("model."), "{error}");
    }
    let (_, after) = server.get_as(&format!("/api/v4/channels/{channel_id}/posts"), &admin.token).await;
    assert_eq!(before["order"], after["order"], "a refused post writes nothing");
    server.stop().await;
}
