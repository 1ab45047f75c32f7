//! Peer (e): the word-filter as plugin processes (`confab-bench-oop-plugin`), each called over its own Unix socket with one line of JSON-RPC per call, as Mattermost calls its plugin processes over go-plugin's RPC.
//!
//! The host side is async like the host path: a call writes the request, then waits on
//! the socket for the answer line. No limits are applied to the processes (Mattermost
//! applies none either; a slow plugin is only cut off by the RPC's own timeouts).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use confab_host::types::{PluginContext, Post};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::process::{Child, Command};

use super::{HookRef, HookReply, wire};

/// The plugin binary: built beside `confab-bench` (same package), so it is next to it.
fn plugin_exe() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?.with_file_name("confab-bench-oop-plugin");
    anyhow::ensure!(exe.exists(), "{} is missing: build it with `cargo build -p confab-bench` (it is one of the crate's binaries)", exe.display());
    Ok(exe)
}

/// One plugin process and the host's end of its socket.
struct Connection {
    /// Killed when the peer is dropped; it also exits on its own when the socket closes.
    _child: Child,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

/// `n` plugin processes, called in order as a chain.
pub struct OopPeer {
    connections: Vec<Connection>,
    next_id: u64,
    request: Vec<u8>,
    answer: String,
}

impl OopPeer {
    /// Start `n` processes, each on its own socket under `dir`, with the word-filter
    /// settings the host path's plugin runs with.
    pub async fn start(n: usize, dir: &Path, settings: &str) -> anyhow::Result<OopPeer> {
        let exe = plugin_exe()?;
        std::fs::create_dir_all(dir)?;
        let mut connections = Vec::with_capacity(n);
        for i in 0..n {
            let socket = dir.join(format!("oop-{i}.sock"));
            let _ = std::fs::remove_file(&socket);
            let child = Command::new(&exe).arg(&socket).arg(settings).kill_on_drop(true).spawn().with_context(|| format!("start {}", exe.display()))?;
            let stream = connect(&socket).await?;
            let (reader, writer) = stream.into_split();
            connections.push(Connection { _child: child, reader: BufReader::new(reader), writer });
        }
        Ok(OopPeer { connections, next_id: 1, request: Vec::new(), answer: String::new() })
    }

    /// The post through every process in turn, one request line and one answer line
    /// each; `None` when no link replaced it.
    pub async fn call(&mut self, context: &PluginContext, post: &Post) -> anyhow::Result<Option<Post>> {
        let mut current = post.clone();
        let mut replaced = false;
        for connection in &mut self.connections {
            let id = self.next_id;
            self.next_id += 1;
            self.request.clear();
            let request = wire::Request { id, method: wire::MESSAGE_WILL_BE_POSTED.into(), params: HookRef { context, post: &current } };
            serde_json::to_writer(&mut self.request, &request)?;
            self.request.push(b'\n');
            connection.writer.write_all(&self.request).await?;
            self.answer.clear();
            anyhow::ensure!(connection.reader.read_line(&mut self.answer).await? > 0, "a plugin process closed its socket");
            let response: wire::Response<HookReply> = serde_json::from_str(&self.answer)?;
            anyhow::ensure!(response.id == id, "answer {} to request {id}", response.id);
            let reply = response.result.with_context(|| format!("the plugin process failed: {}", response.error.unwrap_or_default()))?;
            replaced |= matches!(reply, wire::Reply::Replace { .. });
            super::carry(&mut current, reply)?;
        }
        Ok(replaced.then_some(current))
    }
}

/// Connect once the process has bound its socket (it starts in milliseconds).
async fn connect(socket: &Path) -> anyhow::Result<UnixStream> {
    let started = Instant::now();
    loop {
        match UnixStream::connect(socket).await {
            Ok(stream) => return Ok(stream),
            Err(e) if started.elapsed() > Duration::from_secs(10) => {
                return Err(e).with_context(|| format!("the plugin process never listened on {}", socket.display()));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}
