//! Runs matrix rows: resolves each row's `:key`s for each role, sends the request, compares the status with the row, and checks that no response shows private or direct-channel text to a role outside those channels, or a token secret to anyone.

use confab_e2e::TestServer;
use futures_util::StreamExt;
use serde_json::Value;

use super::fixture::{DM_SECRET, PRIV_SECRET, ROLES, Role, World};
use super::table::Row;

/// What a run found.
#[derive(Default)]
pub struct Report {
    /// Cells checked.
    pub cells: usize,
    /// Rows where Confab knowingly differs from Mattermost.
    pub deviations: usize,
    /// Everything wrong, one line each.
    pub failures: Vec<String>,
}

impl Report {
    /// Panic with every failure at once, so one run shows the whole picture.
    pub fn assert_clean(&self) {
        eprintln!("authorization matrix: {} cells, {} knowing deviations from Mattermost", self.cells, self.deviations);
        assert!(self.failures.is_empty(), "authorization matrix: {} failures:\n{}", self.failures.len(), self.failures.join("\n"));
    }
}

/// Replace every `:key` (a colon and a lower-case identifier) in `template`.
async fn fill(server: &TestServer, world: &World, role: Role, template: &str, resolved: &mut Vec<(String, String)>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find(':') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after.find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')).unwrap_or(after.len());
        if len == 0 || !after.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.push(':');
            rest = after;
            continue;
        }
        let key = &after[..len];
        // The same key names the same object throughout one request (`:fresh_in_hook`
        // in the path and in the body); `:uniq` is new each time.
        let value = match resolved.iter().find(|(k, _)| k == key && key != "uniq") {
            Some((_, v)) => v.clone(),
            None => {
                let v = world.resolve(server, key, role).await;
                resolved.push((key.to_string(), v.clone()));
                v
            }
        };
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// One request: (status, body text).
async fn call(server: &TestServer, world: &World, row: &Row, role: Role) -> (u16, String, String) {
    let mut resolved = Vec::new();
    let path = fill(server, world, role, if row.path.is_empty() { row.route } else { row.path }, &mut resolved).await;
    let body = fill(server, world, role, row.body, &mut resolved).await;
    if let Some(ws_path) = path.strip_prefix("ws:") {
        let (status, text) = upgrade(server, ws_path, world.token(role)).await;
        return (status, text, path);
    }
    let method = if row.method == "ANY" { "GET" } else { row.method };
    let mut request = server.request(method.parse().expect("a method"), &path, world.token(role));
    if !body.is_empty() {
        let value: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{} {}: the row's body is not JSON ({e}): {body}", row.method, row.route));
        request = request.json(&value);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default(), format!("{path} {body}"))
}

/// Open a WebSocket: 101 when the upgrade worked and the socket behaves as the session
/// says (a `hello` for a session; only the challenge answered without one).
async fn upgrade(server: &TestServer, path: &str, token: &str) -> (u16, String) {
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let url = format!("{}{path}", server.base_url.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("a WebSocket request");
    if !token.is_empty() {
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    let (mut stream, response) = match tokio_tungstenite::connect_async(request).await {
        Ok(ok) => ok,
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => return (response.status().as_u16(), String::new()),
        Err(e) => panic!("websocket {path}: {e}"),
    };
    let status = response.status().as_u16();
    if token.is_empty() {
        // Anything but the challenge is refused, and nothing else arrives first.
        futures_util::SinkExt::send(&mut stream, Message::Text(r#"{"seq":1,"action":"get_statuses"}"#.into())).await.expect("send");
    }
    let first = tokio::time::timeout(confab_e2e::EVENT_TIMEOUT, stream.next()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(text)))) => text.to_string(),
        other => return (0, format!("no first message: {other:?}")),
    };
    let value: Value = serde_json::from_str(&text).unwrap_or_default();
    let behaves = if token.is_empty() {
        value["seq_reply"] == 1 && value["error"]["id"] == "api.web_socket_router.not_authenticated.app_error"
    } else {
        value["event"] == "hello"
    };
    (if behaves { status } else { 0 }, text)
}

/// Text a role must never receive in a response, with the request's own text exempt
/// (a refused request may echo what it sent).
pub fn leaks(world: &World, role: Role, text: &str, sent: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    if !role.sees_private() {
        for secret in [PRIV_SECRET, DM_SECRET] {
            if text.contains(secret) && !sent.contains(secret) {
                found.push(secret);
            }
        }
    }
    if text.contains(&world.member_pat) {
        found.push("the member's personal access token");
    }
    found
}

/// Run `rows` for every role, in table order.
pub async fn run(server: &TestServer, world: &World, rows: &[&Row], report: &mut Report) {
    for row in rows {
        if row.confab.is_some() {
            report.deviations += 1;
        }
        for role in ROLES {
            let (status, text, sent) = call(server, world, row, role).await;
            report.cells += 1;
            let column = role.column();
            let required = row.required()[column];
            let name = format!("{} {} ({}) as {role:?}", row.method, row.route, if row.path.is_empty() { row.route } else { row.path });
            if status != required {
                let short: String = text.chars().take(300).collect();
                report.failures.push(format!("{name}: expected {required}, got {status}: {short}"));
            }
            for secret in leaks(world, role, &text, &sent) {
                report.failures.push(format!("{name}: LEAK of {secret} in a {status} response"));
            }
        }
    }
}
