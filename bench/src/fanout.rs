//! B8: WebSocket fan-out — N users connected over real WebSockets, in channels of 100, posts at one per user per minute; the latency from sending a post to each member receiving its `posted` event.
//!
//! Accounts are written straight into the server's database before the load starts
//! (one password hash for all, a session each): signing up ten thousand people over
//! HTTP would cost ten thousand argon2 hashes and measure nothing of interest. Every
//! connection, post and event then goes through the real server.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use confab_server::domain::{Channel, ChannelMember, Session as DbSession, TeamMember, User};
use confab_server::store::Store;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::report::Row;
use crate::server::{Server, Session, quantile};
use crate::stats::Summary;

/// Members per channel.
pub(crate) const CHANNEL_SIZE: usize = 100;

fn now_micros() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0)
}

/// The fields of a `posted` event the clients read. Typed, so that each client
/// parses what a real one would (the event name, then the post inside it) without
/// building a tree of the rest: ten thousand clients share this machine's two cores
/// with the server they measure.
#[derive(Deserialize)]
struct PostedEvent<'a> {
    #[serde(borrow)]
    event: &'a str,
    #[serde(default)]
    data: PostedData,
}

#[derive(Deserialize, Default)]
struct PostedData {
    #[serde(default)]
    post: String,
}

#[derive(Deserialize)]
struct SentPost {
    #[serde(default)]
    message: String,
}

/// When the post in this `posted` frame was sent (µs since the epoch, from its
/// `b8:<micros>` message); `None` for any other frame.
fn sent_at(frame: &str) -> Option<u128> {
    let event: PostedEvent = serde_json::from_str(frame).ok()?;
    if event.event != "posted" {
        return None;
    }
    let post: SentPost = serde_json::from_str(&event.data.post).ok()?;
    post.message.strip_prefix("b8:")?.parse().ok()
}

/// One bench user: id, session token, channel index.
pub(crate) struct Member {
    pub(crate) token: String,
    pub(crate) channel: usize,
}

/// Write `users` accounts with sessions into the server's database, in channels of
/// [`CHANNEL_SIZE`] in `team_id`; returns them and the channel ids.
pub(crate) async fn seed(database_url: &str, team_id: &str, users: usize) -> anyhow::Result<(Vec<Member>, Vec<String>)> {
    let store = Store::connect(database_url).await?;
    let now = confab_server::service::now_ms();
    let mut members = Vec::with_capacity(users);
    let mut ids = Vec::with_capacity(users);
    for i in 0..users {
        let id = confab_server::ids::new_id();
        let user = User {
            id: id.clone(),
            create_at: now,
            update_at: now,
            username: format!("fan{i:05}"),
            email: format!("fan{i:05}@bench.example.com"),
            roles: "system_user".into(),
            locale: "en".into(),
            props: "{}".into(),
            ..User::default()
        };
        store.insert_user(&user, None).await?;
        let token = confab_server::ids::new_id();
        let session = DbSession {
            id: confab_server::ids::new_id(),
            token: token.clone(),
            user_id: id.clone(),
            create_at: now,
            expires_at: now + 24 * 3600 * 1000,
            last_activity_at: now,
            csrf_token: confab_server::ids::new_id(),
            device_id: String::new(),
        };
        store.insert_session(&session).await?;
        store
            .upsert_team_member(&TeamMember {
                team_id: team_id.to_string(),
                user_id: id.clone(),
                roles: "team_user".into(),
                scheme_user: true,
                ..TeamMember::default()
            })
            .await?;
        members.push(Member { token, channel: i / CHANNEL_SIZE });
        ids.push(id);
    }
    let mut channels = Vec::new();
    for (c, chunk) in ids.chunks(CHANNEL_SIZE).enumerate() {
        let channel = Channel {
            id: confab_server::ids::new_id(),
            create_at: now,
            update_at: now,
            team_id: team_id.to_string(),
            kind: "O".into(),
            display_name: format!("Fan {c}"),
            name: format!("fan-{c}"),
            creator_id: chunk[0].clone(),
            ..Channel::default()
        };
        let channel_members: Vec<ChannelMember> = chunk
            .iter()
            .map(|user_id| ChannelMember {
                channel_id: channel.id.clone(),
                user_id: user_id.clone(),
                roles: "channel_user".into(),
                last_update_at: now,
                ..ChannelMember::default()
            })
            .collect();
        store.insert_channel(&channel, &channel_members).await?;
        channels.push(channel.id);
    }
    store.close().await;
    Ok((members, channels))
}

/// Connect every member over a WebSocket; each connection's task records the delay
/// of every `posted` it receives into `latencies` when its stream ends.
async fn connect_all(ws_url: &str, members: &[Member], latencies: &Arc<Mutex<Vec<f64>>>) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let mut readers = Vec::with_capacity(members.len());
    for member in members {
        let mut request = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url)?;
        request.headers_mut().insert("authorization", format!("Bearer {}", member.token).parse()?);
        // A small read buffer, as the server uses: tungstenite zero-fills the buffer's
        // free part before each read, and ten thousand clients at the default 128 KiB
        // spent a tenth of the machine on that memset.
        let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
        let (mut stream, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
        let latencies = latencies.clone();
        readers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let received = now_micros();
                if let Some(sent) = sent_at(&text) {
                    mine.push(received.saturating_sub(sent) as f64 / 1e3);
                }
            }
            latencies.lock().await.extend(mine);
        }));
    }
    Ok(readers)
}

/// Post one post per member per minute for `duration`, each by a member in its channel;
/// returns the posts sent, the deliveries they should make, and the posting tasks.
async fn post_steadily(
    client: &reqwest::Client,
    base: &str,
    members: &[Member],
    channels: &[String],
    duration: Duration,
) -> (usize, usize, Vec<tokio::task::JoinHandle<bool>>) {
    let mut sizes = vec![0usize; channels.len()];
    for member in members {
        sizes[member.channel] += 1;
    }
    let users = members.len();
    let rate = users as f64 / 60.0;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut sent = 0usize;
    let mut expected = 0usize;
    let mut posts = Vec::new();
    while started.elapsed() < duration {
        ticker.tick().await;
        let poster = &members[(sent * 7919) % members.len()];
        let channel_id = channels[poster.channel].clone();
        expected += sizes[poster.channel];
        let (client, url, token) = (client.clone(), format!("{base}/api/v4/posts"), poster.token.clone());
        posts.push(tokio::spawn(async move {
            let body = json!({ "channel_id": channel_id, "message": format!("b8:{}", now_micros()) });
            client.post(url).bearer_auth(token).json(&body).send().await.is_ok_and(|r| r.status().as_u16() == 201)
        }));
        sent += 1;
    }
    (sent, expected, posts)
}

pub async fn b8(quick: bool, tmp: &Path) -> anyhow::Result<Row> {
    let (users, duration) = if quick { (300, Duration::from_secs(10)) } else { (10_000, Duration::from_secs(60)) };
    let mut row = Row {
        id: "B8",
        what: "WebSocket fan-out: N users connected, channels of 100, one post per user per minute, post-to-delivery latency",
        figures: vec![],
        ratios: vec![],
        target: "10,000 users at 1 post/user/min, p99 post-to-delivery < 100 ms",
        met: None,
        note: String::new(),
        gap: String::new(),
    };
    let data = tmp.join("b8");
    std::fs::create_dir_all(&data)?;
    let database_url = confab_server::testing::sqlite_url(&data);
    let server = Server::start(&data, Some(&database_url), &[]).await?;
    let admin = Session::admin(&server.base, "bench").await?;
    let team: Value = admin.client.get(format!("{}/api/v4/teams/name/bench", server.base)).bearer_auth(&admin.token).send().await?.json().await?;
    let team_id = team["id"].as_str().unwrap_or_default().to_string();
    let seeded = Instant::now();
    let (members, channels) = seed(&database_url, &team_id, users).await?;
    let seed_time = seeded.elapsed();

    // Connect everyone; each connection records the delay of every `posted` it gets.
    let latencies = Arc::new(Mutex::new(Vec::<f64>::with_capacity(users * 10)));
    let ws_url = format!("{}/api/v4/websocket", server.base.replacen("http", "ws", 1));
    let connected = Instant::now();
    let readers = connect_all(&ws_url, &members, &latencies).await?;
    let connect_time = connected.elapsed();

    // One post per user per minute in all, spread evenly; each by a member of its channel.
    let (sent, expected, posts) = post_steadily(&admin.client, &server.base, &members, &channels, duration).await;
    let mut failed = 0;
    for post in posts {
        if !post.await.unwrap_or(false) {
            failed += 1;
        }
    }
    anyhow::ensure!(failed == 0, "{failed} of {sent} posts failed");
    // Let the last events arrive, then close every connection by stopping the server.
    tokio::time::sleep(Duration::from_secs(2)).await;
    server.stop().await;
    for reader in readers {
        let _ = reader.await;
    }
    let latencies = Arc::try_unwrap(latencies).map(Mutex::into_inner).unwrap_or_default();
    let delivered = latencies.len();
    let p50 = row.figure("post-to-delivery p50", "ms", Summary::of(vec![quantile(&latencies, 0.5)]));
    let p99 = row.figure("post-to-delivery p99", "ms", Summary::of(vec![quantile(&latencies, 0.99)]));
    row.figure("posts per second", "posts/s", Summary::of(vec![sent as f64 / duration.as_secs_f64()]));
    row.ratios.push(("deliveries / expected".into(), delivered as f64 / expected.max(1) as f64));
    row.met = if users >= 10_000 { Some(p99.median < 100.0 && delivered == expected) } else { None };
    if row.met == Some(false) {
        row.gap = format!(
            "every delivery arrived ({delivered} of {expected}) but late: a median of {:.0} ms is a queue, the server and the {users} clients together \
             falling behind {:.0} deliveries per second on this run's machine (seeding took {seed_time:.1?} and connecting {connect_time:.1?}, both \
             socket- and syscall-bound like the fan-out). Closing it: clients on another machine, so the server gets both cores, and a CPU profile of \
             both processes over the post phase (`perf record -a -e cpu-clock`) to find the per-delivery cost; the last one found \
             tungstenite's read-buffer memset and a walk over every connection per event, both fixed since.",
            p50.median,
            expected as f64 / duration.as_secs_f64()
        );
    }
    row.note = format!(
        "{users} users connected over real WebSockets ({} channels of {CHANNEL_SIZE}), {sent} posts in {duration:?} ({:.1}/s), {delivered} of {expected} deliveries \
         received. Accounts and sessions were written into the database before the run ({seed_time:.1?}); connecting everyone took {connect_time:.1?}. \
         The clients run in this process, the server in its own; both share the machine.{}",
        channels.len(),
        sent as f64 / duration.as_secs_f64(),
        if users < 10_000 { " Quick mode uses fewer users; the target is judged only on the full run." } else { "" }
    );
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_posted_frames_of_the_bench_carry_a_send_time() {
        let post = json!({ "id": "p1", "message": "b8:1234567" }).to_string();
        let posted = json!({ "event": "posted", "data": { "post": post, "channel_name": "fan-0" }, "broadcast": {}, "seq": 3 }).to_string();
        assert_eq!(sent_at(&posted), Some(1_234_567));
        let typing = json!({ "event": "typing", "data": { "post": post }, "seq": 4 }).to_string();
        assert_eq!(sent_at(&typing), None);
        let other_post = json!({ "event": "posted", "data": { "post": json!({ "message": "hello" }).to_string() } }).to_string();
        assert_eq!(sent_at(&other_post), None);
        assert_eq!(sent_at("not json"), None);
    }
}
