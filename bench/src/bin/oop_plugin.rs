//! `confab-bench-oop-plugin`: peer (e) of B1 and B2, word-filter as a separate process answering hook calls over a Unix socket, in the manner of Mattermost's server plugins (go-plugin's net/rpc: a header then a body per message, one call outstanding per connection).
//!
//! `confab-bench-oop-plugin <socket>` binds the socket, prints `ready` on stdout and
//! serves every connection on its own thread. Each message is two lines of JSON: a
//! header (`{"method":..,"seq":..}` in, `{"seq":..,"error":..}` out) and a body (the
//! call's arguments in, its result out). Methods: `configuration_changed` (body: the
//! settings JSON as a string) and `message_will_be_posted` (body: context and post).
//! The process exits when its stdin closes, so it never outlives the bench that
//! spawned it, however the bench ends.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::RwLock;

use serde::{Deserialize, Serialize};

#[path = "../../../example-plugins/word-filter/src/filter.rs"]
#[allow(dead_code, unreachable_pub)]
mod filter;
#[path = "../peers/wire.rs"]
#[allow(dead_code, unreachable_pub)]
mod wire;

use filter::{Filter, Verdict};
use wire::{HookArgs, PluginContext, Post, Settings, WillResult};

/// The parsed settings, shared by every connection; replaced by `configuration_changed`.
static FILTER: RwLock<Option<Filter>> = RwLock::new(None);

#[derive(Deserialize)]
struct RequestHeader {
    method: String,
    seq: u64,
}

#[derive(Serialize)]
struct ResponseHeader<'a> {
    seq: u64,
    error: &'a str,
}

fn main() -> anyhow::Result<()> {
    let socket = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: confab-bench-oop-plugin <socket path>"))?;
    let listener = UnixListener::bind(&socket)?;
    std::thread::spawn(|| {
        // EOF (or an error) on stdin: the bench is gone or done with us.
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        std::process::exit(0);
    });
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "ready")?;
    stdout.flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            if let Err(e) = serve(stream) {
                eprintln!("confab-bench-oop-plugin: connection ended: {e:#}");
            }
        });
    }
    Ok(())
}

/// One connection: read a call, answer it, until the peer closes.
fn serve(stream: UnixStream) -> anyhow::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let (mut header, mut body, mut out) = (String::new(), String::new(), Vec::new());
    loop {
        header.clear();
        body.clear();
        if reader.read_line(&mut header)? == 0 {
            return Ok(());
        }
        anyhow::ensure!(reader.read_line(&mut body)? > 0, "a header without a body");
        let call: RequestHeader = serde_json::from_str(&header)?;
        out.clear();
        match answer(&call.method, &body) {
            Ok(result) => {
                serde_json::to_writer(&mut out, &ResponseHeader { seq: call.seq, error: "" })?;
                out.push(b'\n');
                out.extend_from_slice(&result);
            }
            Err(e) => {
                serde_json::to_writer(&mut out, &ResponseHeader { seq: call.seq, error: &format!("{e:#}") })?;
                out.extend_from_slice(b"\nnull");
            }
        }
        out.push(b'\n');
        writer.write_all(&out)?;
    }
}

/// One call's result body, as JSON.
fn answer(method: &str, body: &str) -> anyhow::Result<Vec<u8>> {
    match method {
        "configuration_changed" => {
            let settings: String = serde_json::from_str(body)?;
            let settings: Settings = serde_json::from_str(&settings)?;
            *FILTER.write().map_err(|_| anyhow::anyhow!("poisoned"))? = Some(Filter::new(&settings.replacements, &settings.blocked_phrases).0);
            Ok(b"null".to_vec())
        }
        "message_will_be_posted" => {
            let args: HookArgs<PluginContext, Post> = serde_json::from_str(body)?;
            let guard = FILTER.read().map_err(|_| anyhow::anyhow!("poisoned"))?;
            let filter = guard.as_ref().ok_or_else(|| anyhow::anyhow!("message_will_be_posted before configuration_changed"))?;
            let result = match filter.check(&args.post.message) {
                Verdict::Unchanged => WillResult::Allow,
                Verdict::Replaced(message) => WillResult::Replace { post: Post { message, ..args.post } },
                Verdict::Blocked(phrase) => WillResult::Reject { reason: format!("Your message was not posted: it contains the blocked phrase \"{phrase}\".") },
            };
            Ok(serde_json::to_vec(&result)?)
        }
        other => anyhow::bail!("unknown method `{other}`"),
    }
}
