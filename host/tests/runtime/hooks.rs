//! Every exported hook family is delivered with its data; absent families are never called.

use confab_host::types::*;
use confab_host::{HookFamily, PluginHost, SettingsVerdict, WillOutcome};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hook_family_is_invoked_with_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let report = load(&host, &fixture(tmp.path(), "all-hooks")).await;
    assert_eq!(report.families, HookFamily::ALL.to_vec());
    let id = "fx.all-hooks";
    let kv = |hook: &str| api.kv_text(id, &format!("hook:{hook}"));

    // lifecycle: configuration-changed (with schema defaults) then activate.
    assert_eq!(kv("activate").as_deref(), Some("ok"));
    assert_eq!(kv("configuration-changed").as_deref(), Some(r#"{"note":"hello"}"#));
    assert_eq!(api.commands.lock().unwrap()[0].1.trigger, "allhooks");

    // message-hooks
    // 0.2.0 lends the post: the plugin reads fields and the context's connection id
    // through `hook-post`, and answers with only the changed message.
    let from_socket = PluginContext { connection_id: "conn-7".into(), ..ctx() };
    let hi = Post { file_ids: vec!["f1".into()], metadata: r#"{"embeds":[]}"#.into(), ..post("hi") };
    let WillOutcome::Continue(posted) = host.message_will_be_posted(&from_socket, hi.clone()).await else { panic!("not continued") };
    assert_eq!(posted, Post { message: "hi [all-hooks]".into(), ..hi }, "only the message changed; files and metadata kept");
    assert_eq!(kv("message-will-be-posted").as_deref(), Some("hi"));
    assert_eq!(kv("message-will-be-posted.connection-id").as_deref(), Some("conn-7"));
    let WillOutcome::Continue(updated) = host.message_will_be_updated(&ctx(), post("new"), &post("old")).await else { panic!() };
    assert_eq!(updated.message, "new [edited]");
    assert_eq!(kv("message-will-be-updated.old-message").as_deref(), Some("old"), "the old post is lent too");
    host.message_has_been_posted(&ctx(), &post("x"));
    host.message_has_been_updated(&ctx(), &post("x"), &post("y"));
    host.message_has_been_deleted(&ctx(), &post("x"));

    // reaction, channel, team, user, websocket, cluster
    let reaction = Reaction { user_id: "u1".into(), post_id: "p9".into(), emoji_name: "tada".into(), create_at: 1 };
    host.reaction_has_been_added(&ctx(), &reaction);
    host.reaction_has_been_removed(&ctx(), &reaction);
    host.channel_has_been_created(&ctx(), &Channel { id: "c7".into(), kind: "O".into(), ..Default::default() });
    let actor = User { id: "admin".into(), ..Default::default() };
    let cm = ChannelMember { channel_id: "c7".into(), user_id: "u2".into(), ..Default::default() };
    host.user_has_joined_channel(&ctx(), &cm, Some(&actor));
    host.user_has_left_channel(&ctx(), &cm, None);
    let tm = TeamMember { team_id: "t1".into(), user_id: "u3".into(), ..Default::default() };
    host.user_has_joined_team(&ctx(), &tm, None);
    host.user_has_left_team(&ctx(), &tm, Some(&actor));
    host.user_has_been_created(&ctx(), &User { id: "u4".into(), ..Default::default() });
    host.user_has_logged_in(&ctx(), &User { id: "u5".into(), ..Default::default() });
    host.on_websocket_connect("conn1", "u6");
    host.on_websocket_disconnect("conn1", "u6");
    host.websocket_message_has_been_posted("conn1", "u6", &WebsocketRequest { seq: 3, action: "custom_ping".into(), data: "{}".into() });
    host.on_plugin_cluster_event(id, &ctx(), &ClusterEvent { id: "sync".into(), data: b"payload".to_vec() });
    host.user_has_been_deactivated(&ctx(), &User { id: "u7".into(), ..Default::default() });
    host.flush_background().await;

    let expected = [
        ("message-has-been-posted", "p1"),
        ("message-has-been-updated", "p1"),
        ("message-has-been-deleted", "p1"),
        ("reaction-has-been-added", "p9:tada"),
        ("reaction-has-been-removed", "p9:tada"),
        ("channel-has-been-created", "c7"),
        ("user-has-joined-channel", "c7:u2:admin"),
        ("user-has-left-channel", "c7:u2:"),
        ("user-has-joined-team", "t1:u3:"),
        ("user-has-left-team", "t1:u3:admin"),
        ("user-has-been-created", "u4"),
        ("user-has-logged-in", "u5"),
        ("on-websocket-connect", "conn1:u6"),
        ("on-websocket-disconnect", "conn1:u6"),
        ("websocket-message-has-been-posted", "conn1:u6:custom_ping:{}"),
        ("on-plugin-cluster-event", "sync:payload"),
        ("user-has-been-deactivated", "u7"),
    ];
    for (hook, payload) in expected {
        assert_eq!(kv(hook).as_deref(), Some(payload), "{hook}");
    }

    // user-will-log-in veto
    assert!(host.user_will_log_in(&ctx(), &User { id: "u8".into(), username: "alice".into(), ..Default::default() }).await.is_ok());
    let refused = host.user_will_log_in(&ctx(), &User { id: "u9".into(), username: "blocked".into(), ..Default::default() }).await;
    assert_eq!(refused, Err((id.to_string(), "fx-all-hooks refuses user blocked".to_string())));

    // veto-hooks: the first refusal names the plugin; the arguments arrive
    let blocked = ChannelMember { channel_id: "c7".into(), user_id: "blocked".into(), ..Default::default() };
    assert!(host.channel_member_will_be_added(&ctx(), &cm, Some(&actor)).await.is_ok());
    assert_eq!(kv("channel-member-will-be-added").as_deref(), Some("c7:u2:admin"));
    let refused = host.channel_member_will_be_added(&ctx(), &blocked, None).await.unwrap_err();
    assert_eq!((refused.plugin_id.as_str(), refused.reason.as_str()), (id, "fx-all-hooks refuses member blocked"));
    assert!(host.team_member_will_be_added(&ctx(), &tm, None).await.is_ok());
    assert_eq!(kv("team-member-will-be-added").as_deref(), Some("t1:u3:"));
    let keep = Channel { id: "c8".into(), name: "keep".into(), ..Default::default() };
    assert_eq!(host.channel_will_be_archived(&ctx(), &keep, Some(&actor)).await.unwrap_err().reason, "fx-all-hooks keeps channel keep");
    assert_eq!(kv("channel-will-be-archived").as_deref(), Some("c8:admin"));

    // consume-hooks: every post goes through, unchanged
    let read = vec![Post { id: "p1".into(), ..post("one") }, Post { id: "p2".into(), ..post("two") }];
    assert!(host.has_consumers());
    assert_eq!(host.messages_will_be_consumed(read.clone()).await, read);
    assert_eq!(kv("messages-will-be-consumed").as_deref(), Some("p1,p2"));

    // admin-hooks
    assert_eq!(host.on_install(id, &ctx(), "admin1").await.unwrap(), Ok(()));
    assert_eq!(kv("on-install").as_deref(), Some("admin1"));
    assert_eq!(host.configuration_will_be_saved(id, r#"{"note":"x"}"#).await, SettingsVerdict::Keep);
    assert_eq!(kv("configuration-will-be-saved").as_deref(), Some(r#"{"note":"x"}"#));

    // command-hooks
    let args = CommandArgs { command: "/allhooks go".into(), user_id: "u1".into(), channel_id: "c1".into(), team_id: "t1".into(), ..Default::default() };
    let response = host.execute_command(id, &ctx(), args).await.unwrap().unwrap();
    assert_eq!(response.response_type, "in_channel");
    assert!(response.text.contains(r#"command="/allhooks go""#), "{}", response.text);

    // http-hooks
    let request = HttpRequest {
        method: "POST".into(),
        path: "/echo".into(),
        query: "a=1".into(),
        headers: vec![("Mattermost-User-Id".into(), "u1".into())],
        body: b"body!".to_vec(),
    };
    let response = host.serve_http(id, &ctx(), request).await.unwrap();
    assert_eq!(response.status, 200);
    let echoed: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(echoed, serde_json::json!({"method": "POST", "path": "/echo", "query": "a=1", "body": "body!", "user_id": "u1"}));

    // deactivate on unload
    assert!(host.unload(id).await);
    assert_eq!(kv("deactivate").as_deref(), Some("ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absent_families_are_never_called() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let report = load(&host, &fixture(tmp.path(), "lifecycle-only")).await;
    assert_eq!(report.families, vec![HookFamily::Lifecycle]);

    let outcome = host.message_will_be_posted(&ctx(), post("untouched")).await;
    assert_eq!(outcome, WillOutcome::Continue(post("untouched")));
    // No consumer: a read is handed back as it came, without a call.
    assert!(!host.has_consumers());
    assert_eq!(host.messages_will_be_consumed(vec![post("read")]).await, vec![post("read")]);
    assert!(host.channel_member_will_be_added(&ctx(), &ChannelMember::default(), None).await.is_ok());
    host.message_has_been_posted(&ctx(), &post("x"));
    host.on_websocket_connect("c", "u");
    host.flush_background().await;
    let err = host.serve_http("fx.lifecycle-only", &ctx(), HttpRequest::default()).await.unwrap_err();
    assert!(matches!(err, confab_host::CallError::NotImplemented { .. }), "{err}");

    let metrics = host.metrics();
    let hooks: Vec<&String> = metrics.hooks["fx.lifecycle-only"].keys().collect();
    assert_eq!(hooks, ["activate", "configuration-changed"], "only lifecycle hooks ran");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_changes_reach_every_instance() {
    let tmp = tempfile::tempdir().unwrap();
    let api = RecordingApi::new();
    let host = PluginHost::new(config(&tmp.path().join("cache")), api.clone()).unwrap();
    let dir = chain_link(tmp.path(), &api, "fx.settings", serde_json::json!({"action": "replace", "from": "a", "to": "b"}));
    load(&host, &dir).await;
    let WillOutcome::Continue(p) = host.message_will_be_posted(&ctx(), post("aaa")).await else { panic!() };
    assert_eq!(p.message, "bbb");

    api.set_settings("fx.settings", serde_json::json!({"action": "replace", "from": "a", "to": "c"}));
    host.configuration_changed("fx.settings").await.unwrap();
    let WillOutcome::Continue(p) = host.message_will_be_posted(&ctx(), post("aaa")).await else { panic!() };
    assert_eq!(p.message, "ccc");
}
