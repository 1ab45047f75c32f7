//! Store tests, each run on SQLite and (when `CONFAB_TEST_DATABASE_URL` is set) on PostgreSQL.

use std::ops::Deref;

use super::*;
use crate::domain::*;
use crate::ids::new_id;
use crate::testing::{PgSchema, sqlite_url};

/// A store plus whatever keeps its database alive.
struct TestStore {
    store: Store,
    _dir: Option<tempfile::TempDir>,
    _schema: Option<PgSchema>,
}

impl Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(dir.path())).await.unwrap();
    TestStore { store, _dir: Some(dir), _schema: None }
}

async fn postgres(name: &str) -> Option<TestStore> {
    let schema = PgSchema::create(name).await?;
    let store = Store::connect(&schema.url).await.unwrap();
    Some(TestStore { store, _dir: None, _schema: Some(schema) })
}

/// Generate `sqlite::<name>` and `postgres::<name>` for each test body `<name>(store)`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[tokio::test] async fn $name() { super::$name(super::sqlite().await).await })*
        }
        mod postgres_backend {
            $(#[tokio::test] async fn $name() {
                if let Some(store) = super::postgres(concat!("store::", stringify!($name))).await { super::$name(store).await }
            })*
        }
    };
}

on_both_backends!(
    migrations_apply_twice,
    users_sessions_and_tokens,
    the_first_user_only_becomes_admin,
    teams_and_members,
    channels_and_members,
    posts_threads_paging_and_deletes,
    reactions,
    kv_set_get_delete_and_namespaces,
    kv_compare_and_set,
    kv_expiry,
    kv_writes_queued_together_keep_order_and_outcomes,
    kv_quota_checked_alone_and_in_batches,
    jobs_quota_claim_and_settle,
    jobs_claims_let_plugins_take_turns,
    jobs_settle_in_batches,
    kv_list_pages_in_byte_order,
    plugin_records,
    concurrent_posts_to_one_channel_all_land,
    counted_posts_mark_the_author_and_count_mentions,
    the_last_posters_view_is_derived_then_written_down,
    nul_text_is_invalid_input_on_postgres,
    open_dialogs_are_taken_once_bounded_and_expire,
    failed_logins_count_atomically_up_to_the_maximum,
);

fn user(name: &str) -> User {
    User {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        username: name.into(),
        email: format!("{name}@example.com"),
        roles: user::ROLE_USER.into(),
        locale: "en".into(),
        props: "{}".into(),
        ..User::default()
    }
}

async fn migrations_apply_twice(store: TestStore) {
    // A second run finds everything applied and changes nothing.
    store.migrate().await.unwrap();
}

async fn users_sessions_and_tokens(store: TestStore) {
    let ann = store.insert_user(&user("ann"), None).await.unwrap();
    assert_eq!(store.get_user(&ann.id).await.unwrap(), ann);
    assert_eq!(store.get_user_by_username("ann").await.unwrap().id, ann.id);
    assert_eq!(store.get_user_by_email("ANN@example.com").await.unwrap().id, ann.id);
    assert!(matches!(store.get_user("nope").await, Err(Error::NotFound)));

    let dup_name = User { email: "other@example.com".into(), ..user("ann") };
    assert!(matches!(store.insert_user(&dup_name, None).await, Err(Error::Conflict { constraint }) if constraint.contains("username")));
    let dup_email = User { email: ann.email.clone(), ..user("bob") };
    assert!(matches!(store.insert_user(&dup_email, None).await, Err(Error::Conflict { constraint }) if constraint.contains("email")));

    let bob = store.insert_user(&user("bob"), None).await.unwrap();
    let page = store.list_users(Paging { page: 0, per_page: 1 }, None, None).await.unwrap();
    assert_eq!(page.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["ann"]);
    let page = store.list_users(Paging { page: 1, per_page: 1 }, None, None).await.unwrap();
    assert_eq!(page[0].id, bob.id);
    assert_eq!(store.get_users_by_ids(&[bob.id.clone(), "zzz".into(), ann.id.clone()]).await.unwrap().len(), 2);

    let mut changed = ann.clone();
    changed.nickname = "Annie".into();
    store.update_user(&changed).await.unwrap();
    assert_eq!(store.get_user(&ann.id).await.unwrap().nickname, "Annie");

    let session = Session {
        id: new_id(),
        token: new_id(),
        user_id: ann.id.clone(),
        create_at: 1,
        expires_at: 2,
        last_activity_at: 1,
        csrf_token: new_id(),
        device_id: String::new(),
    };
    store.insert_session(&session).await.unwrap();
    assert_eq!(store.get_session_by_token(&session.token).await.unwrap(), session);
    store.delete_session(&session.id).await.unwrap();
    assert!(matches!(store.get_session_by_token(&session.token).await, Err(Error::NotFound)));

    let token = UserAccessToken { id: new_id(), token: new_id(), user_id: ann.id.clone(), description: "ci".into(), is_active: true };
    store.insert_access_token(&token).await.unwrap();
    assert_eq!(store.get_access_token_by_token(&token.token).await.unwrap(), token);
    assert_eq!(store.list_access_tokens(&ann.id, Paging::default()).await.unwrap(), std::slice::from_ref(&token));
    store.delete_access_token(&token.id).await.unwrap();
    assert!(matches!(store.get_access_token(&token.id).await, Err(Error::NotFound)));

    let bot_user = User { is_bot: true, ..user("robot") };
    let bot = Bot {
        user_id: bot_user.id.clone(),
        username: "robot".into(),
        display_name: "Robot".into(),
        description: "beeps".into(),
        owner_id: ann.id.clone(),
        create_at: 1,
        update_at: 1,
        delete_at: 0,
    };
    store.insert_bot(&bot_user, &bot).await.unwrap();
    assert_eq!(store.get_bot(&bot.user_id).await.unwrap(), bot);
    assert_eq!(store.list_bots(Paging::default(), false).await.unwrap(), std::slice::from_ref(&bot));
    let as_user = store.get_user(&bot.user_id).await.unwrap();
    assert!(as_user.is_bot);
    assert_eq!(as_user.bot_description, "beeps");
}

async fn the_first_user_only_becomes_admin(store: TestStore) {
    let bot = store.insert_user(&User { is_bot: true, ..user("early-bot") }, Some(user::ROLE_ADMIN)).await.unwrap();
    assert!(!bot.is_admin(), "a bot made before anyone signs up is not the first user");
    assert_eq!(store.count_people().await.unwrap(), 0);
    let first = store.insert_user(&user("first"), Some(user::ROLE_ADMIN)).await.unwrap();
    assert!(first.is_admin());
    assert!(store.get_user(&first.id).await.unwrap().is_admin());
    let second = store.insert_user(&user("second"), Some(user::ROLE_ADMIN)).await.unwrap();
    assert!(!second.is_admin());
}

fn team(name: &str) -> Team {
    Team {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        name: name.into(),
        display_name: name.into(),
        kind: "O".into(),
        allow_open_invite: true,
        invite_id: new_id(),
        ..Team::default()
    }
}

async fn teams_and_members(store: TestStore) {
    let ann = store.insert_user(&user("ann"), None).await.unwrap();
    let bob = store.insert_user(&user("bob"), None).await.unwrap();
    let eng = team("eng");
    store.insert_team(&eng, &TeamMember::new(&eng.id, &ann.id, "team_user team_admin")).await.unwrap();
    assert_eq!(store.get_team(&eng.id).await.unwrap(), eng);
    assert_eq!(store.get_team_by_name("eng").await.unwrap().id, eng.id);

    let dup = team("eng");
    assert!(matches!(store.insert_team(&dup, &TeamMember::new(&dup.id, &ann.id, "team_user")).await, Err(Error::Conflict { .. })));
    assert!(matches!(store.get_team(&dup.id).await, Err(Error::NotFound)), "the failed insert left no team");

    let secret = Team { allow_open_invite: false, kind: "I".into(), ..team("secret") };
    store.insert_team(&secret, &TeamMember::new(&secret.id, &ann.id, "team_user")).await.unwrap();
    let visible = |teams: Vec<Team>| teams.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(visible(store.list_teams(Paging::default(), Some(&bob.id)).await.unwrap()), ["eng"]);
    assert_eq!(visible(store.list_teams(Paging::default(), Some(&ann.id)).await.unwrap()), ["eng", "secret"]);
    assert_eq!(visible(store.list_teams(Paging::default(), None).await.unwrap()), ["eng", "secret"]);

    assert!(store.upsert_team_member(&TeamMember::new(&eng.id, &bob.id, "team_user")).await.unwrap());
    assert!(!store.upsert_team_member(&TeamMember::new(&eng.id, &bob.id, "team_user")).await.unwrap(), "already a member");
    assert_eq!(store.team_member_ids(&eng.id).await.unwrap().len(), 2);
    assert_eq!(visible(store.teams_for_user(&bob.id).await.unwrap()), ["eng"]);
    assert!(store.get_team_member(&eng.id, &ann.id).await.unwrap().is_admin());

    assert!(store.remove_team_member(&eng.id, &bob.id, 5).await.unwrap());
    assert!(!store.remove_team_member(&eng.id, &bob.id, 6).await.unwrap());
    assert!(matches!(store.get_team_member(&eng.id, &bob.id).await, Err(Error::NotFound)));
    assert!(store.upsert_team_member(&TeamMember::new(&eng.id, &bob.id, "team_user")).await.unwrap(), "re-joining revives the row");
    assert_eq!(store.list_team_members(&eng.id, Paging { page: 0, per_page: 1 }).await.unwrap().len(), 1);
}

fn channel(team_id: &str, name: &str, kind: &str) -> Channel {
    Channel {
        id: new_id(),
        create_at: 1,
        update_at: 1,
        team_id: team_id.into(),
        kind: kind.into(),
        name: name.into(),
        display_name: name.into(),
        ..Channel::default()
    }
}

fn member(channel_id: &str, user_id: &str) -> ChannelMember {
    ChannelMember { channel_id: channel_id.into(), user_id: user_id.into(), roles: "channel_user".into(), ..ChannelMember::default() }
}

async fn channels_and_members(store: TestStore) {
    let ann = store.insert_user(&user("ann"), None).await.unwrap();
    let bob = store.insert_user(&user("bob"), None).await.unwrap();
    let eng = team("eng");
    store.insert_team(&eng, &TeamMember::new(&eng.id, &ann.id, "team_user")).await.unwrap();
    let town = channel(&eng.id, "town-square", "O");
    store.insert_channel(&town, &[member(&town.id, &ann.id)]).await.unwrap();
    let private = channel(&eng.id, "secret", "P");
    store.insert_channel(&private, &[member(&private.id, &ann.id)]).await.unwrap();
    assert_eq!(store.get_channel(&town.id).await.unwrap(), town);
    assert_eq!(store.get_channel_by_name(&eng.id, "secret").await.unwrap().id, private.id);
    assert!(matches!(store.insert_channel(&channel(&eng.id, "town-square", "O"), &[]).await, Err(Error::Conflict { .. })));

    assert_eq!(store.list_public_channels(&eng.id, Paging::default()).await.unwrap(), std::slice::from_ref(&town));
    assert_eq!(store.channels_for_user(&ann.id, &eng.id).await.unwrap().len(), 2);
    assert!(store.channels_for_user(&bob.id, &eng.id).await.unwrap().is_empty());

    store.insert_channel_member(&member(&town.id, &bob.id)).await.unwrap();
    assert!(matches!(store.insert_channel_member(&member(&town.id, &bob.id)).await, Err(Error::Conflict { .. })));
    assert_eq!(store.get_channel_member(&town.id, &bob.id).await.unwrap().roles, "channel_user");
    assert_eq!(store.channel_member_ids(&town.id).await.unwrap().len(), 2);
    assert_eq!(store.list_channel_members(&town.id, Paging { page: 1, per_page: 1 }).await.unwrap().len(), 1);
    assert!(store.delete_channel_member(&town.id, &bob.id).await.unwrap());
    assert!(!store.delete_channel_member(&town.id, &bob.id).await.unwrap());

    let mut archived = town.clone();
    archived.delete_at = 9;
    archived.header = "old".into();
    store.update_channel(&archived).await.unwrap();
    assert_eq!(store.get_channel(&town.id).await.unwrap().delete_at, 9);
    assert!(store.list_public_channels(&eng.id, Paging::default()).await.unwrap().is_empty());
}

/// User "ann" in team "eng", a member of its town-square: (ann, town-square).
async fn ann_in_town_square(store: &Store) -> (User, Channel) {
    let ann = store.insert_user(&user("ann"), None).await.unwrap();
    let eng = team("eng");
    store.insert_team(&eng, &TeamMember::new(&eng.id, &ann.id, "team_user")).await.unwrap();
    let town = channel(&eng.id, "town-square", "O");
    store.insert_channel(&town, &[member(&town.id, &ann.id)]).await.unwrap();
    (ann, town)
}

fn post_at(channel_id: &str, user_id: &str, at: i64, message: &str) -> Post {
    Post { id: new_id(), create_at: at, update_at: at, channel_id: channel_id.into(), user_id: user_id.into(), message: message.into(), ..Post::default() }
}

async fn posts_threads_paging_and_deletes(store: TestStore) {
    let (ann, town) = ann_in_town_square(&store).await;

    let mut posts = Vec::new();
    for i in 0..5 {
        let mut p = post_at(&town.id, &ann.id, 100 + i, &format!("m{i}"));
        p.props.insert("k".into(), serde_json::json!(i));
        store.insert_post(&p).await.unwrap();
        posts.push(p);
    }
    let channel_now = store.get_channel(&town.id).await.unwrap();
    assert_eq!((channel_now.total_msg_count, channel_now.last_post_at), (5, 104));
    let stored = store.get_post(&posts[0].id).await.unwrap();
    assert_eq!(stored.props["k"], 0);
    assert_eq!(stored.message, "m0");

    let ids = |list: &PostList| list.order.iter().map(|id| list.posts[id].message.clone()).collect::<Vec<_>>();
    let page0 = store.channel_posts(&town.id, &PostQuery::Page(Paging { page: 0, per_page: 2 })).await.unwrap();
    assert_eq!(ids(&page0), ["m4", "m3"]);
    assert_eq!(page0.prev_post_id, posts[2].id);
    assert_eq!(page0.next_post_id, "");
    let page1 = store.channel_posts(&town.id, &PostQuery::Page(Paging { page: 1, per_page: 2 })).await.unwrap();
    assert_eq!(ids(&page1), ["m2", "m1"]);
    assert_eq!((page1.prev_post_id.as_str(), page1.next_post_id.as_str()), (posts[0].id.as_str(), posts[3].id.as_str()));
    let beyond = store.channel_posts(&town.id, &PostQuery::Page(Paging { page: 9, per_page: 2 })).await.unwrap();
    assert!(beyond.order.is_empty());

    let before = store.channel_posts(&town.id, &PostQuery::Before(posts[3].id.clone(), Paging::default())).await.unwrap();
    assert_eq!(ids(&before), ["m2", "m1", "m0"]);
    let after = store.channel_posts(&town.id, &PostQuery::After(posts[1].id.clone(), Paging { page: 0, per_page: 2 })).await.unwrap();
    assert_eq!(ids(&after), ["m3", "m2"]);

    let mut reply = post_at(&town.id, &ann.id, 200, "reply");
    reply.root_id = posts[0].id.clone();
    store.insert_post(&reply).await.unwrap();
    let thread = store.get_thread(&posts[0].id).await.unwrap();
    assert_eq!(thread.iter().map(|p| p.message.as_str()).collect::<Vec<_>>(), ["reply", "m0"]);
    assert_eq!(store.get_post(&posts[0].id).await.unwrap().reply_count, 1);

    let mut edited = store.get_post(&posts[4].id).await.unwrap();
    edited.message = "m4 edited".into();
    edited.edit_at = 300;
    edited.update_at = 300;
    store.update_post(&edited).await.unwrap();
    let since = store.channel_posts(&town.id, &PostQuery::Since(250)).await.unwrap();
    assert_eq!(ids(&since), ["m4 edited"]);

    store.delete_post(&posts[0].id, 400).await.unwrap();
    assert_eq!(store.get_post(&reply.id).await.unwrap().delete_at, 400, "deleting a root deletes its replies");
    assert!(store.get_thread(&posts[0].id).await.unwrap().is_empty());
    let since = store.channel_posts(&town.id, &PostQuery::Since(350)).await.unwrap();
    assert_eq!(since.order.len(), 2, "since includes deletions");
    let mut gone = store.get_post(&posts[0].id).await.unwrap();
    gone.message = "x".into();
    assert!(matches!(store.update_post(&gone).await, Err(Error::NotFound)), "a deleted post cannot be edited");
}

async fn reactions(store: TestStore) {
    let ann = store.insert_user(&user("ann"), None).await.unwrap();
    let eng = team("eng");
    store.insert_team(&eng, &TeamMember::new(&eng.id, &ann.id, "team_user")).await.unwrap();
    let town = channel(&eng.id, "town-square", "O");
    store.insert_channel(&town, &[]).await.unwrap();
    let post = post_at(&town.id, &ann.id, 1, "hi");
    store.insert_post(&post).await.unwrap();

    let r = Reaction { user_id: ann.id.clone(), post_id: post.id.clone(), emoji_name: "+1".into(), create_at: 5 };
    store.insert_reaction(&r).await.unwrap();
    store.insert_reaction(&r).await.unwrap();
    assert_eq!(store.list_reactions(&post.id).await.unwrap(), std::slice::from_ref(&r));
    assert!(store.get_post(&post.id).await.unwrap().has_reactions);
    assert!(store.delete_reaction(&post.id, &ann.id, "+1", 6).await.unwrap());
    assert!(!store.delete_reaction(&post.id, &ann.id, "+1", 7).await.unwrap());
    assert!(!store.get_post(&post.id).await.unwrap().has_reactions);
}

const P: &str = "com.example.p";

fn set(value: &[u8]) -> KvWrite<'_> {
    KvWrite { value: Some(value), atomic: false, old_value: None, expire_at: 0 }
}

fn cas<'a>(value: Option<&'a [u8]>, old: Option<&'a [u8]>) -> KvWrite<'a> {
    KvWrite { value, atomic: true, old_value: old, expire_at: 0 }
}

async fn kv_set_get_delete_and_namespaces(store: TestStore) {
    assert_eq!(store.kv_get(P, "k", 0).await.unwrap(), None);
    store.kv_write(P, "k", &set(b"v"), 0).await.unwrap();
    assert_eq!(store.kv_get(P, "k", 0).await.unwrap(), Some(b"v".to_vec()));
    store.kv_write(P, "k", &set(b"w"), 0).await.unwrap();
    assert_eq!(store.kv_get(P, "k", 0).await.unwrap(), Some(b"w".to_vec()));
    store.kv_write("other", "k", &set(b"2"), 0).await.unwrap();
    store.kv_delete(P, "k").await.unwrap();
    store.kv_delete(P, "k").await.unwrap();
    assert_eq!(store.kv_get(P, "k", 0).await.unwrap(), None);
    assert_eq!(store.kv_get("other", "k", 0).await.unwrap(), Some(b"2".to_vec()));

    // Binary values survive byte for byte.
    let binary: Vec<u8> = (0..=255).collect();
    store.kv_write(P, "bin", &set(&binary), 0).await.unwrap();
    assert_eq!(store.kv_get(P, "bin", 0).await.unwrap(), Some(binary));
    assert_eq!(store.kv_usage(P, "", 0).await.unwrap(), 256);
    assert_eq!(store.kv_usage(P, "bin", 0).await.unwrap(), 0);

    store.kv_delete_all(P).await.unwrap();
    assert_eq!(store.kv_list(P, 0, 10, 0).await.unwrap(), Vec::<String>::new());
    assert_eq!(store.kv_get("other", "k", 0).await.unwrap(), Some(b"2".to_vec()));
    // A plain non-atomic delete through kv_write.
    assert_eq!(store.kv_write("other", "k", &KvWrite { value: None, atomic: false, old_value: None, expire_at: 0 }, 0).await.unwrap(), KvWriteOutcome::Written);
    assert_eq!(store.kv_get("other", "k", 0).await.unwrap(), None);
}

async fn kv_compare_and_set(store: TestStore) {
    use KvWriteOutcome::*;
    assert_eq!(store.kv_write(P, "k", &cas(Some(b"1"), None), 0).await.unwrap(), Written, "insert if absent");
    assert_eq!(store.kv_write(P, "k", &cas(Some(b"2"), None), 0).await.unwrap(), Mismatch);
    assert_eq!(store.kv_write(P, "k", &cas(Some(b"2"), Some(b"0")), 0).await.unwrap(), Mismatch);
    assert_eq!(store.kv_get(P, "k", 0).await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.kv_write(P, "k", &cas(Some(b"2"), Some(b"1")), 0).await.unwrap(), Written);
    assert_eq!(store.kv_write(P, "absent", &cas(Some(b"2"), Some(b"1")), 0).await.unwrap(), Mismatch, "absent never matches an old value");
    assert_eq!(store.kv_write(P, "k", &cas(None, None), 0).await.unwrap(), Mismatch, "delete only-if-absent never happens");
    assert_eq!(store.kv_write(P, "k", &cas(None, Some(b"1")), 0).await.unwrap(), Mismatch);
    assert_eq!(store.kv_write(P, "k", &cas(None, Some(b"2")), 0).await.unwrap(), Written, "compare-and-delete");
    assert_eq!(store.kv_get(P, "k", 0).await.unwrap(), None);
}

/// Writes sent at one moment are committed in batches (`kv_batch.rs`); each keeps the
/// outcome it would have had alone, in the order sent, and a write the database
/// refuses fails alone.
async fn kv_writes_queued_together_keep_order_and_outcomes(store: TestStore) {
    use KvWriteOutcome::*;
    use futures_util::future::join_all;
    let keys: Vec<String> = (0..2100).map(|i| format!("k{i}")).collect();
    // More than one transaction's worth of plain sets, sent before any is written.
    let a = set(b"a");
    let first = join_all(keys.iter().map(|k| store.kv_write(P, k, &a, 0))).await;
    assert!(first.iter().all(|o| matches!(o, Ok(Written))), "{:?}", first.iter().find(|o| !matches!(o, Ok(Written))));

    let delete = KvWrite { value: None, atomic: false, old_value: None, expire_at: 0 };
    let bad_key = "bad\0key";
    let writes: Vec<(&str, KvWrite<'_>)> = vec![
        ("k0", set(b"b")),
        ("k0", set(b"c")),                   // the same key twice: the later one wins
        ("k1", cas(Some(b"x"), Some(b"a"))), // sees k1 = a
        ("k1", cas(Some(b"y"), Some(b"a"))), // sees the x written just before
        ("new", cas(Some(b"1"), None)),      // insert if absent
        ("new", cas(Some(b"2"), None)),      // no longer absent
        ("k2", delete.clone()),
        ("k3", cas(None, Some(b"a"))), // compare-and-delete
        (bad_key, set(b"v")),
        ("k4", set(b"d")),
    ];
    let outcomes = join_all(writes.iter().map(|(k, w)| store.kv_write(P, k, w, 0))).await;
    let ok: Vec<Option<KvWriteOutcome>> = outcomes.iter().map(|o| o.as_ref().ok().copied()).collect();
    assert_eq!(ok[..8], [Some(Written), Some(Written), Some(Written), Some(Mismatch), Some(Written), Some(Mismatch), Some(Written), Some(Written)]);
    assert_eq!(ok[9], Some(Written), "a refused neighbour costs the others nothing");
    if store.backend() == Backend::Postgres {
        assert!(matches!(outcomes[8], Err(Error::InvalidText(_))), "{:?}", outcomes[8]);
    }
    let get = |k: &'static str| store.kv_get(P, k, 0);
    assert_eq!(get("k0").await.unwrap(), Some(b"c".to_vec()));
    assert_eq!(get("k1").await.unwrap(), Some(b"x".to_vec()));
    assert_eq!(get("new").await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(get("k2").await.unwrap(), None);
    assert_eq!(get("k3").await.unwrap(), None);
    assert_eq!(get("k4").await.unwrap(), Some(b"d".to_vec()));
    assert_eq!(get("k2099").await.unwrap(), Some(b"a".to_vec()));
    let usage = store.kv_usage(P, "", 0).await.unwrap();
    let bad_stored = i64::from(store.backend() == Backend::Sqlite);
    assert_eq!(usage, 2100 - 2 + 1 + bad_stored, "2,100 one-byte values, two deleted, one added, and the odd key where it may be stored");
}

/// The quota is a plugin's live bytes: checked exactly for a lone write, and in a
/// batch on one read per plugin, exactly only for a value over that estimate.
async fn kv_quota_checked_alone_and_in_batches(store: TestStore) {
    use KvWriteOutcome::*;
    use futures_util::future::join_all;
    const Q: &str = "com.example.quota";
    let four = set(b"1234");
    // Alone: 8 of 10 bytes used, a third value would make 12.
    assert_eq!(store.kv_write_within(Q, "a", &four, Some(10), 0).await.unwrap(), Written);
    assert_eq!(store.kv_write_within(Q, "b", &four, Some(10), 0).await.unwrap(), Written);
    assert_eq!(store.kv_write_within(Q, "c", &four, Some(10), 0).await.unwrap(), OverQuota);
    // Replacing a value counts the new one instead of the old.
    assert_eq!(store.kv_write_within(Q, "a", &set(b"123456"), Some(10), 0).await.unwrap(), Written);
    assert_eq!(store.kv_write_within(Q, "a", &four, Some(10), 0).await.unwrap(), Written);

    // In one batch, in order: another plugin's write, a delete making room, a value
    // that fits only because of it, one that no longer fits, and a replacement.
    let delete = KvWrite { value: None, atomic: false, old_value: None, expire_at: 0 };
    let two = set(b"12");
    let writes: Vec<(&str, &str, &KvWrite<'_>)> =
        vec![("other", "x", &four), (Q, "b", &delete), (Q, "c", &four), (Q, "d", &two), (Q, "a", &two), (Q, "e", &two), (Q, "f", &two)];
    let outcomes = join_all(writes.iter().map(|(p, k, w)| store.kv_write_within(p, k, w, Some(10), 0))).await;
    let outcomes: Vec<KvWriteOutcome> = outcomes.into_iter().map(Result::unwrap).collect();
    // a=4, c=4 → 8; d=2 → 10; a replaced by 2 → 8; e=2 → 10; f over.
    assert_eq!(outcomes, [Written, Written, Written, Written, Written, Written, OverQuota]);
    assert_eq!(store.kv_usage(Q, "", 0).await.unwrap(), 10);
    assert_eq!(store.kv_get(Q, "f", 0).await.unwrap(), None);
    // Expired values do not count.
    let expiring = KvWrite { value: Some(b"12345678"), atomic: false, old_value: None, expire_at: 100 };
    store.kv_delete_all(Q).await.unwrap();
    assert_eq!(store.kv_write_within(Q, "old", &expiring, Some(10), 0).await.unwrap(), Written);
    assert_eq!(store.kv_write_within(Q, "new", &four, Some(10), 50).await.unwrap(), OverQuota);
    assert_eq!(store.kv_write_within(Q, "new", &four, Some(10), 100).await.unwrap(), Written);
}

async fn kv_expiry(store: TestStore) {
    use KvWriteOutcome::*;
    let expiring = |value: &'static [u8], at: i64| KvWrite { value: Some(value), atomic: false, old_value: None, expire_at: at };
    store.kv_write(P, "short", &expiring(b"1", 10_000), 0).await.unwrap();
    store.kv_write(P, "forever", &set(b"1"), 0).await.unwrap();
    assert_eq!(store.kv_get(P, "short", 9_999).await.unwrap(), Some(b"1".to_vec()));
    assert_eq!(store.kv_list(P, 0, 10, 9_999).await.unwrap(), ["forever", "short"]);
    assert_eq!(store.kv_get(P, "short", 10_000).await.unwrap(), None);
    assert_eq!(store.kv_list(P, 0, 10, 10_000).await.unwrap(), ["forever"]);
    assert_eq!(store.kv_get(P, "forever", i64::MAX).await.unwrap(), Some(b"1".to_vec()));

    // An expired lock counts as absent for insert-if-absent, and its value matches nothing.
    let lock = KvWrite { value: Some(b"a"), atomic: true, old_value: None, expire_at: 5_000 };
    assert_eq!(store.kv_write(P, "lock", &lock, 0).await.unwrap(), Written);
    assert_eq!(store.kv_write(P, "lock", &KvWrite { value: Some(b"b"), ..lock.clone() }, 4_000).await.unwrap(), Mismatch, "still held");
    assert_eq!(store.kv_write(P, "lock", &cas(Some(b"c"), Some(b"a")), 6_000).await.unwrap(), Mismatch, "expired value does not match");
    assert_eq!(store.kv_write(P, "lock", &KvWrite { value: Some(b"b"), expire_at: 0, ..lock }, 6_000).await.unwrap(), Written, "expired, so absent");
    assert_eq!(store.kv_get(P, "lock", i64::MAX).await.unwrap(), Some(b"b".to_vec()));
}

async fn kv_list_pages_in_byte_order(store: TestStore) {
    for key in ["d", "a", "C", "c", "e", "b"] {
        store.kv_write(P, key, &set(b""), 0).await.unwrap();
    }
    assert_eq!(store.kv_list(P, 0, 3, 0).await.unwrap(), ["C", "a", "b"], "byte order: upper case first");
    assert_eq!(store.kv_list(P, 1, 3, 0).await.unwrap(), ["c", "d", "e"]);
    assert!(store.kv_list(P, 2, 3, 0).await.unwrap().is_empty());
    assert!(store.kv_list(P, u32::MAX, 1000, 0).await.unwrap().is_empty(), "huge pages do not overflow");
}

async fn plugin_records(store: TestStore) {
    assert_eq!(store.get_plugin("p").await.unwrap(), None);
    let mut record =
        PluginRecord { plugin_id: "p".into(), enabled: true, granted: vec!["kv".into()], grant_all_requested: false, installed_at: 1, update_at: 1 };
    store.upsert_plugin(&record).await.unwrap();
    assert_eq!(store.get_plugin("p").await.unwrap(), Some(record.clone()));
    record.enabled = false;
    record.update_at = 2;
    store.upsert_plugin(&record).await.unwrap();
    assert_eq!(store.get_plugin("p").await.unwrap(), Some(record));
}

async fn concurrent_posts_to_one_channel_all_land(store: TestStore) {
    // Writers queue (SQLite's one writer connection; PostgreSQL's row lock on the
    // channel) rather than fail or deadlock, and every post counts once.
    let (ann, town) = ann_in_town_square(&store).await;
    let writes = (0..32).map(|i| {
        let (store, post) = (store.store.clone(), post_at(&town.id, &ann.id, 100 + i, &format!("m{i}")));
        tokio::spawn(async move { store.insert_post(&post).await })
    });
    for write in writes.collect::<Vec<_>>() {
        write.await.unwrap().unwrap();
    }
    let channel_now = store.get_channel(&town.id).await.unwrap();
    assert_eq!((channel_now.total_msg_count, channel_now.last_post_at), (32, 131));
    assert_eq!(store.channel_posts(&town.id, &PostQuery::Page(Paging { page: 0, per_page: 100 })).await.unwrap().order.len(), 32);

    // A post to a channel that does not exist is refused whole: nothing is counted.
    assert!(store.insert_post(&post_at("no-such-channel", &ann.id, 500, "lost")).await.is_err());
    assert_eq!(store.get_channel(&town.id).await.unwrap().total_msg_count, 32);
}

/// PostgreSQL cannot store a NUL in text; the store says so as `InvalidText` (a 400
/// upstream), not as a database failure. SQLite stores it, which is why the API refuses
/// NUL before the store on both.
async fn nul_text_is_invalid_input_on_postgres(store: TestStore) {
    let result = store.insert_user(&User { nickname: "a\u{0}b".into(), ..user("nul") }, None).await;
    match store.backend() {
        Backend::Postgres => assert!(matches!(result, Err(Error::InvalidText(_))), "{result:?}"),
        Backend::Sqlite => assert!(result.is_ok(), "{result:?}"),
    }
}

async fn open_dialogs_are_taken_once_bounded_and_expire(store: TestStore) {
    use crate::domain::dialog::OpenDialog;
    let dialog = |user: &str, callback: &str, at: i64| OpenDialog {
        id: new_id(),
        user_id: user.into(),
        url: "https://x.test/dialog".into(),
        callback_id: callback.into(),
        state: format!("state-{callback}"),
        create_at: at,
        expire_at: at + 1000,
    };
    let first = dialog("ann", "a", 10);
    store.insert_open_dialog(&first, 3, 10).await.unwrap();
    assert_eq!(store.take_open_dialog("bob", &first.url, "a", 11).await.unwrap(), None, "another user's dialog");
    assert_eq!(store.take_open_dialog("ann", "https://other.test/", "a", 11).await.unwrap(), None, "another url");
    assert_eq!(store.take_open_dialog("ann", &first.url, "b", 11).await.unwrap(), None, "another callback id");
    assert_eq!(store.take_open_dialog("ann", &first.url, "a", 11).await.unwrap(), Some(first.clone()));
    assert_eq!(store.take_open_dialog("ann", &first.url, "a", 11).await.unwrap(), None, "taken once");

    // Put back, it can be taken again; past its expiry it cannot.
    store.insert_open_dialog(&first, 3, 12).await.unwrap();
    assert_eq!(store.take_open_dialog("ann", &first.url, "a", 12).await.unwrap(), Some(first.clone()));
    store.insert_open_dialog(&first, 3, 12).await.unwrap();
    assert_eq!(store.take_open_dialog("ann", &first.url, "a", 1010).await.unwrap(), None, "expired");

    // At most 3 per user: the oldest go; other users keep theirs.
    let bobs = dialog("bob", "b", 20);
    store.insert_open_dialog(&bobs, 3, 20).await.unwrap();
    for (i, callback) in ["c1", "c2", "c3", "c4"].into_iter().enumerate() {
        store.insert_open_dialog(&dialog("ann", callback, 30 + i as i64), 3, 30 + i as i64).await.unwrap();
    }
    assert_eq!(store.take_open_dialog("ann", &first.url, "c1", 40).await.unwrap(), None, "the oldest was forgotten");
    for callback in ["c2", "c3", "c4"] {
        assert!(store.take_open_dialog("ann", &first.url, callback, 40).await.unwrap().is_some(), "{callback}");
    }
    assert_eq!(store.take_open_dialog("bob", &first.url, "b", 40).await.unwrap(), Some(bobs));
}

async fn failed_logins_count_atomically_up_to_the_maximum(store: TestStore) {
    let ann = store.insert_user(&user("ann"), None).await.unwrap();
    // Twenty concurrent wrong guesses against a maximum of ten: exactly ten count.
    let guesses = (0..20).map(|_| store.record_failed_login(&ann.id, 10));
    let counted = futures_util::future::join_all(guesses).await.into_iter().filter(|r| *r.as_ref().unwrap()).count();
    assert_eq!(counted, 10);
    assert_eq!(store.get_user(&ann.id).await.unwrap().failed_attempts, 10);
    // A profile update does not touch the count.
    store.update_user(&User { nickname: "annie".into(), ..store.get_user(&ann.id).await.unwrap() }).await.unwrap();
    assert_eq!(store.get_user(&ann.id).await.unwrap().failed_attempts, 10);
    store.reset_failed_logins(&ann.id).await.unwrap();
    assert_eq!(store.get_user(&ann.id).await.unwrap().failed_attempts, 0);
    assert!(store.record_failed_login(&ann.id, 10).await.unwrap());
    store.set_password(&ann.id, "$argon2id$new", 42).await.unwrap();
    let after = store.get_user(&ann.id).await.unwrap();
    assert_eq!((after.failed_attempts, after.password_hash.as_str(), after.last_password_update), (0, "$argon2id$new", 42));
    assert!(matches!(store.set_password("nope", "x", 1).await, Err(Error::NotFound)));
}

async fn counted_posts_mark_the_author_and_count_mentions(store: TestStore) {
    // Concurrent channel-wide posts: each counts once for every member but the author,
    // whose membership keeps up with the channel's total, in the post's own commit.
    let (ann, town) = ann_in_town_square(&store).await;
    let bob = store.insert_user(&user("bob"), None).await.unwrap();
    store.insert_channel_member(&member(&town.id, &bob.id)).await.unwrap();
    let writes = (0..24).map(|i| {
        let (store, post) = (store.store.clone(), post_at(&town.id, &ann.id, 100 + i, "@channel"));
        tokio::spawn(async move {
            let unreads = PostUnreads { mark_author_viewed: true, channel_wide: true, usernames: &[] };
            store.insert_post_counted(&post, &unreads).await
        })
    });
    for write in writes.collect::<Vec<_>>() {
        assert_eq!(write.await.unwrap().unwrap(), std::slice::from_ref(&bob.id));
    }
    let (ann_m, bob_m) = (store.get_channel_member(&town.id, &ann.id).await.unwrap(), store.get_channel_member(&town.id, &bob.id).await.unwrap());
    assert_eq!((ann_m.msg_count, ann_m.mention_count, ann_m.last_viewed_at), (24, 0, 123));
    assert_eq!((bob_m.msg_count, bob_m.mention_count), (0, 24));

    // By username: only the named member, never the author; nothing to do runs nothing.
    let names = vec!["bob".to_string(), "ann".to_string(), "nobody".to_string()];
    let unreads = PostUnreads { mark_author_viewed: false, channel_wide: false, usernames: &names };
    assert_eq!(store.insert_post_counted(&post_at(&town.id, &ann.id, 200, "@bob @ann"), &unreads).await.unwrap(), std::slice::from_ref(&bob.id));
    let quiet = PostUnreads::default();
    assert!(store.insert_post_counted(&post_at(&town.id, &bob.id, 201, "hi"), &quiet).await.unwrap().is_empty());
    let (ann_m, bob_m) = (store.get_channel_member(&town.id, &ann.id).await.unwrap(), store.get_channel_member(&town.id, &bob.id).await.unwrap());
    assert_eq!((ann_m.msg_count, ann_m.mention_count), (24, 0), "a post not marked viewed leaves the author as she was");
    assert_eq!((bob_m.msg_count, bob_m.mention_count), (0, 25));
    assert_eq!(store.get_channel(&town.id).await.unwrap().total_msg_count, 26);

    // A counted post to a channel that does not exist is refused whole.
    let everyone = PostUnreads { mark_author_viewed: true, channel_wide: true, usernames: &[] };
    assert!(store.insert_post_counted(&post_at("no-such-channel", &ann.id, 300, "@all"), &everyone).await.is_err());
    assert_eq!(store.get_channel(&town.id).await.unwrap().total_msg_count, 26);
}

async fn the_last_posters_view_is_derived_then_written_down(store: TestStore) {
    let (ann, town) = ann_in_town_square(&store).await;
    let bob = store.insert_user(&user("bob"), None).await.unwrap();
    store.upsert_team_member(&TeamMember::new(&town.team_id, &bob.id, "team_user")).await.unwrap();
    store.insert_channel_member(&member(&town.id, &bob.id)).await.unwrap();
    let viewed = PostUnreads { mark_author_viewed: true, ..PostUnreads::default() };
    let counts = |m: ChannelMember| (m.msg_count, m.mention_count, m.last_viewed_at, m.last_update_at);
    // Bob is mentioned, then posts twice; Ann's posts are unread for him until then.
    let names = vec!["bob".to_string()];
    let to_bob = PostUnreads { mark_author_viewed: true, channel_wide: false, usernames: &names };
    assert_eq!(store.insert_post_counted(&post_at(&town.id, &ann.id, 100, "@bob"), &to_bob).await.unwrap(), std::slice::from_ref(&bob.id));
    for at in [110, 120] {
        assert!(store.insert_post_counted(&post_at(&town.id, &bob.id, at, "hi"), &viewed).await.unwrap().is_empty());
    }
    // As the last poster Bob has read all three posts, with no mention left, as of his
    // last post; Ann, written down by Bob's first post, had read her own.
    assert_eq!(counts(store.get_channel_member(&town.id, &bob.id).await.unwrap()), (3, 0, 120, 120));
    assert_eq!(counts(store.get_channel_member(&town.id, &ann.id).await.unwrap()), (1, 0, 100, 100));
    let listed = store.list_channel_members(&town.id, Paging::default()).await.unwrap();
    let mut listed: Vec<_> = listed.into_iter().map(counts).collect();
    listed.sort();
    assert_eq!(listed, [(1, 0, 100, 100), (3, 0, 120, 120)]);
    assert_eq!(counts(store.channel_members_for_user(&bob.id, &town.team_id).await.unwrap().remove(0)), (3, 0, 120, 120));
    let unread = |id: &str| {
        let store = store.store.clone();
        let id = id.to_string();
        async move { store.team_unreads(&id, "").await.unwrap().into_iter().map(|t| (t.msg_count, t.mention_count)).collect::<Vec<_>>() }
    };
    assert_eq!((unread(&ann.id).await, unread(&bob.id).await), (vec![(2, 0)], vec![(0, 0)]));

    // Ann's mention of Bob writes his view down (three seen at 120) and counts on it.
    assert_eq!(store.insert_post_counted(&post_at(&town.id, &ann.id, 130, "@bob"), &to_bob).await.unwrap(), std::slice::from_ref(&bob.id));
    assert_eq!(counts(store.get_channel_member(&town.id, &bob.id).await.unwrap()), (3, 1, 120, 130));
    assert_eq!(counts(store.get_channel_member(&town.id, &ann.id).await.unwrap()), (4, 0, 130, 130));
    // A post not marked viewed by the last poster herself (a webhook's) writes her down
    // too: she has not seen it.
    assert!(store.insert_post_counted(&post_at(&town.id, &ann.id, 140, "hook"), &PostUnreads::default()).await.unwrap().is_empty());
    assert_eq!(counts(store.get_channel_member(&town.id, &ann.id).await.unwrap()), (4, 0, 130, 130));
    assert_eq!(unread(&ann.id).await, vec![(1, 0)]);

    // Someone who leaves as the last poster and comes back starts from the new
    // membership's counts, not from the old post.
    store.insert_post_counted(&post_at(&town.id, &bob.id, 150, "bye"), &viewed).await.unwrap();
    assert!(store.delete_channel_member(&town.id, &bob.id).await.unwrap());
    store.insert_channel_member(&member(&town.id, &bob.id)).await.unwrap();
    assert_eq!(counts(store.get_channel_member(&town.id, &bob.id).await.unwrap()), (0, 0, 0, 0));
    assert_eq!(store.get_channel(&town.id).await.unwrap().total_msg_count, 6);
}

async fn jobs_quota_claim_and_settle(store: TestStore) {
    let every = |ms| JobSpec { kind: "every", value: ms, cron: String::new() };
    let stored = |put: JobPut| match put {
        JobPut::Stored(job) => job,
        JobPut::OverQuota => panic!("refused"),
    };
    let a = stored(store.job_put("p", "a", &every(1000), b"x", 100, 2, 0).await.unwrap());
    stored(store.job_put("p", "b", &every(1000), b"", 5000, 2, 0).await.unwrap());
    assert_eq!(store.job_put("p", "c", &every(1000), b"", 100, 2, 0).await.unwrap(), JobPut::OverQuota);
    let replaced = stored(store.job_put("p", "a", &every(2000), b"y", 100, 2, 0).await.unwrap());
    assert_eq!((replaced.id.as_str(), replaced.value, replaced.payload.as_slice()), (a.id.as_str(), 2000, &b"y"[..]), "replacing at the quota is fine");
    stored(store.job_put("q", "a", &every(1000), b"", 100, 2, 0).await.unwrap());
    let names = |jobs: &[StoredJob]| jobs.iter().map(|j| j.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&store.job_list("p").await.unwrap()), ["a", "b"]);

    // Only p's jobs, only the due one; a second claim at the same moment gets nothing.
    let p = vec!["p".to_string()];
    let claimed = store.job_claim(&p, 200, 10_000, "t1", 10).await.unwrap();
    assert_eq!(names(&claimed), ["a"]);
    assert_eq!((claimed[0].due_at, claimed[0].next_run_at, claimed[0].claim_token.as_str()), (100, 10_000, "t1"));
    assert!(store.job_claim(&p, 200, 10_000, "t2", 10).await.unwrap().is_empty());
    assert_eq!(store.job_next_due(&p).await.unwrap(), Some(5000), "b, before a's lease ends");
    assert_eq!(store.job_next_due(&[]).await.unwrap(), None);

    store.job_finish(&a.id, "t1", Some(2100), 300).await.unwrap();
    let after = store.job_get("p", "a").await.unwrap().unwrap();
    assert_eq!((after.next_run_at, after.runs, after.claim_token.as_str()), (2100, 1, ""));

    // Replaced while running: the run's end leaves the new schedule alone.
    assert_eq!(names(&store.job_claim(&p, 2100, 20_000, "t3", 10).await.unwrap()), ["a"]);
    let at = JobSpec { kind: "at", value: 9000, cron: String::new() };
    stored(store.job_put("p", "a", &at, b"", 9000, 2, 2100).await.unwrap());
    store.job_finish(&a.id, "t3", None, 2200).await.unwrap();
    let kept = store.job_get("p", "a").await.unwrap().unwrap();
    assert_eq!((kept.kind.as_str(), kept.next_run_at, kept.runs), ("at", 9000, 2));

    // Earliest first; a released run is due again when it says; a finished one-shot is gone.
    let claimed = store.job_claim(&p, 9000, 30_000, "t4", 10).await.unwrap();
    assert_eq!(names(&claimed), ["b", "a"]);
    store.job_release(&a.id, "t4", 9500).await.unwrap();
    assert_eq!(store.job_get("p", "a").await.unwrap().unwrap().next_run_at, 9500);
    assert_eq!(store.job_claim(&p, 9400, 30_000, "t5", 10).await.unwrap().len(), 0);
    assert_eq!(names(&store.job_claim(&p, 9500, 30_000, "t5", 10).await.unwrap()), ["a"]);
    store.job_finish(&a.id, "t5", None, 9600).await.unwrap();
    assert!(store.job_get("p", "a").await.unwrap().is_none());

    assert!(store.job_delete("p", "b").await.unwrap());
    assert!(!store.job_delete("p", "b").await.unwrap());
    store.delete_plugin_data("q").await.unwrap();
    assert!(store.job_list("q").await.unwrap().is_empty(), "a removed plugin's jobs go with it");
}

async fn jobs_claims_let_plugins_take_turns(store: TestStore) {
    let at = |t| JobSpec { kind: "at", value: t, cron: String::new() };
    for (plugin, name, due) in [("p", "p1", 10), ("p", "p2", 11), ("p", "p3", 12), ("q", "q1", 30), ("r", "r1", 40), ("r", "r2", 41)] {
        assert!(matches!(store.job_put(plugin, name, &at(due), b"", due, 10, 0).await.unwrap(), JobPut::Stored(_)));
    }
    let plugins: Vec<String> = ["p", "q", "r"].map(String::from).to_vec();
    // p's backlog is earliest, but every plugin's first run comes before anyone's second.
    let mut first: Vec<String> = store.job_claim(&plugins, 100, 1000, "t1", 4).await.unwrap().into_iter().map(|j| j.name).collect();
    first.sort();
    assert_eq!(first, ["p1", "p2", "q1", "r1"], "turns 1 (p1, q1, r1), then the earliest second (p2)");
    let rest: Vec<String> = store.job_claim(&plugins, 100, 1000, "t2", 10).await.unwrap().into_iter().map(|j| j.name).collect();
    assert_eq!(rest, ["p3", "r2"], "earliest due first");
}

async fn jobs_settle_in_batches(store: TestStore) {
    let at = |t| JobSpec { kind: "at", value: t, cron: String::new() };
    let every = JobSpec { kind: "every", value: 1000, cron: String::new() };
    let plugins = vec!["p".to_string()];
    // More one-shots than one statement binds, a recurring job, and one replaced mid-run.
    for i in 0..1200 {
        assert!(matches!(store.job_put("p", &format!("once-{i:04}"), &at(10), b"", 10, 5000, 0).await.unwrap(), JobPut::Stored(_)));
    }
    assert!(matches!(store.job_put("p", "tick", &every, b"", 10, 5000, 0).await.unwrap(), JobPut::Stored(_)));
    let mut claimed = store.job_claim(&plugins, 100, 10_000, "t1", 700).await.unwrap();
    claimed.extend(store.job_claim(&plugins, 100, 10_000, "t2", 5000).await.unwrap());
    assert_eq!(claimed.len(), 1201);
    assert!(matches!(store.job_put("p", "once-0000", &at(9000), b"", 9000, 5000, 100).await.unwrap(), JobPut::Stored(_)));
    let finished: Vec<JobFinish> =
        claimed.iter().map(|j| JobFinish { id: j.id.clone(), token: j.claim_token.clone(), next_run_at: (j.kind == "every").then_some(1100) }).collect();
    store.job_finish_many(&finished, 200).await.unwrap();
    let left = store.job_list("p").await.unwrap();
    let summary: Vec<(&str, i64, i64, &str)> = left.iter().map(|j| (j.name.as_str(), j.next_run_at, j.runs, j.claim_token.as_str())).collect();
    assert_eq!(summary, [("once-0000", 9000, 1, ""), ("tick", 1100, 1, "")], "the replaced job keeps its new time and counts its run");
    store.job_finish_many(&[], 300).await.unwrap();
}

mod cluster;
