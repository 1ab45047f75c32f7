//! Peer (e): word-filter in its own process (`confab-bench-oop-plugin`), called over a Unix socket with JSON RPC as Mattermost calls its server plugins; spawned, connected, and stopped within a bounded time.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use confab_host::types::{PluginContext, Post};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::process::{Child, Command};

use super::wire::{HookArgs, WillResult};

/// How long the plugin may take to start or to exit.
const BOUND: Duration = Duration::from_secs(10);

#[derive(Serialize)]
struct RequestHeader<'a> {
    method: &'a str,
    seq: u64,
}

#[derive(Deserialize)]
struct ResponseHeader {
    seq: u64,
    error: String,
}

/// The plugin binary, built beside `confab-bench` (`cargo build -p confab-bench --bins`;
/// `cargo xtask bench` does).
fn binary() -> anyhow::Result<PathBuf> {
    let path = std::env::current_exe()?.with_file_name("confab-bench-oop-plugin");
    anyhow::ensure!(path.exists(), "{} is missing: build it with `cargo build -p confab-bench --bins` (with --release for a release run)", path.display());
    Ok(path)
}

/// One plugin process and the one connection to it.
pub struct OopPeer {
    child: Child,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    seq: u64,
    request: Vec<u8>,
    header: String,
    body: String,
}

impl OopPeer {
    /// Spawn the plugin on a socket in `dir`, connect, and send it `settings`.
    pub async fn spawn(dir: &Path, settings: &str) -> anyhow::Result<OopPeer> {
        std::fs::create_dir_all(dir)?;
        let socket = dir.join("plugin.sock");
        // stdin stays open while the peer lives: the plugin exits when it closes.
        let mut child = Command::new(binary()?).arg(&socket).stdin(Stdio::piped()).stdout(Stdio::piped()).kill_on_drop(true).spawn()?;
        let mut ready = String::new();
        let stdout = child.stdout.take().context("the plugin's stdout")?;
        tokio::time::timeout(BOUND, BufReader::new(stdout).read_line(&mut ready)).await.context("the out-of-process plugin did not start in time")??;
        anyhow::ensure!(ready.trim() == "ready", "the out-of-process plugin said {ready:?} instead of `ready`");
        let (read, writer) = UnixStream::connect(&socket).await?.into_split();
        let mut peer = OopPeer { child, reader: BufReader::new(read), writer, seq: 0, request: Vec::new(), header: String::new(), body: String::new() };
        peer.call("configuration_changed", &settings).await?;
        Ok(peer)
    }

    /// One call: header and body out in one write, header and body back.
    async fn call(&mut self, method: &str, args: &impl Serialize) -> anyhow::Result<&str> {
        self.seq += 1;
        self.request.clear();
        serde_json::to_writer(&mut self.request, &RequestHeader { method, seq: self.seq })?;
        self.request.push(b'\n');
        serde_json::to_writer(&mut self.request, args)?;
        self.request.push(b'\n');
        self.writer.write_all(&self.request).await?;
        self.header.clear();
        self.body.clear();
        self.reader.read_line(&mut self.header).await?;
        self.reader.read_line(&mut self.body).await?;
        let header: ResponseHeader = serde_json::from_str(&self.header).context("the plugin's answer header")?;
        anyhow::ensure!(header.seq == self.seq, "answer {} to call {}", header.seq, self.seq);
        anyhow::ensure!(header.error.is_empty(), "the out-of-process plugin failed: {}", header.error);
        Ok(&self.body)
    }

    /// One hook call round trip; `Some` with the replacement post, `None` when the
    /// plugin allows the post as it is.
    pub async fn will_be_posted(&mut self, ctx: &PluginContext, post: &Post) -> anyhow::Result<Option<Post>> {
        let body = self.call("message_will_be_posted", &HookArgs { context: ctx, post }).await?;
        match serde_json::from_str::<WillResult<Post>>(body)? {
            WillResult::Allow => Ok(None),
            WillResult::Replace { post } => Ok(Some(post)),
            WillResult::Reject { reason } => anyhow::bail!("the out-of-process word-filter rejected the post: {reason}"),
        }
    }

    /// Close the connection and stdin, so the plugin exits; kill it if it has not
    /// within the bound. Either way it is reaped.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        drop(self.writer);
        drop(self.child.stdin.take());
        if tokio::time::timeout(BOUND, self.child.wait()).await.is_err() {
            self.child.kill().await?;
        }
        Ok(())
    }
}
