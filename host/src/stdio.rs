//! Guest stdout/stderr as log lines tagged with the plugin id, bounded so a chatty plugin cannot flood memory.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// Longest line kept; the rest of an over-long line is dropped.
const MAX_LINE: usize = 8 * 1024;

/// A WASI output stream that turns each line into a `tracing` event.
pub(crate) struct LogStream {
    plugin_id: String,
    stderr: bool,
}

impl LogStream {
    pub(crate) fn new(plugin_id: String, stderr: bool) -> LogStream {
        LogStream { plugin_id, stderr }
    }
}

impl IsTerminal for LogStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogStream {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter { plugin_id: self.plugin_id.clone(), stderr: self.stderr, line: Vec::new() })
    }
}

struct LineWriter {
    plugin_id: String,
    stderr: bool,
    line: Vec<u8>,
}

impl LineWriter {
    fn emit(&mut self) {
        if self.line.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.line);
        let text = text.trim_end_matches('\r');
        if self.stderr {
            tracing::warn!(target: "confab_plugin", plugin_id = %self.plugin_id, stream = "stderr", "{text}");
        } else {
            tracing::info!(target: "confab_plugin", plugin_id = %self.plugin_id, stream = "stdout", "{text}");
        }
        self.line.clear();
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(mut self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        for &byte in buf {
            if byte == b'\n' {
                self.emit();
            } else if self.line.len() < MAX_LINE {
                self.line.push(byte);
            }
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.emit();
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        self.emit();
    }
}
