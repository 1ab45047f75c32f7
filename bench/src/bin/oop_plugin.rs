//! `confab-bench-oop-plugin`: B1's and B2's peer (e), the word-filter as an out-of-process plugin answering newline-delimited JSON-RPC on a Unix socket, in the shape of Mattermost's plugin processes (go-plugin's RPC over a local socket, here with JSON).
//!
//! Usage: `confab-bench-oop-plugin <socket path> <settings JSON>`. It binds the socket,
//! serves the one host connection that comes (one line per request, one line per
//! answer, in order) and exits when the host closes it, so a plugin whose host died does
//! not outlive it for long.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;

#[path = "../../../example-plugins/word-filter/src/filter.rs"]
#[allow(dead_code, unreachable_pub)]
mod filter;
#[path = "../peers/wire.rs"]
#[allow(dead_code, unreachable_pub)]
mod wire;

use filter::Filter;
use wire::{Context, Hook, Post, Reply, Request, Response};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(socket), Some(settings)) = (args.next(), args.next()) else {
        eprintln!("usage: confab-bench-oop-plugin <socket path> <settings JSON>");
        std::process::exit(2);
    };
    let settings: serde_json::Value = serde_json::from_str(&settings.to_string_lossy()).map_err(std::io::Error::other)?;
    let filter = wire::filter_from_settings(&settings);
    let listener = UnixListener::bind(&socket)?;
    let (stream, _) = listener.accept()?;
    drop(listener);
    let _ = std::fs::remove_file(&socket);
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = std::io::BufWriter::new(stream);
    let mut line = String::new();
    let mut answer = Vec::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        answer.clear();
        serde_json::to_writer(&mut answer, &respond(&filter, &line))?;
        answer.push(b'\n');
        writer.write_all(&answer)?;
        writer.flush()?;
    }
}

/// The answer to one request line.
fn respond(filter: &Filter, line: &str) -> Response<Reply<Post>> {
    match serde_json::from_str::<Request<Hook<Context, Post>>>(line) {
        Ok(request) if request.method == wire::MESSAGE_WILL_BE_POSTED => {
            Response { id: request.id, result: Some(wire::decide(filter, request.params.post)), error: None }
        }
        Ok(request) => Response { id: request.id, result: None, error: Some(format!("unknown method `{}`", request.method)) },
        // An unreadable line has no id to answer to; 0 is no request's id.
        Err(e) => Response { id: 0, result: None, error: Some(format!("unreadable request: {e}")) },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> Filter {
        Filter::new("darn=d*rn", "buy now").0
    }

    #[test]
    fn answers_a_replacement_under_the_request_id() {
        let line = r#"{"id":7,"method":"message_will_be_posted","params":{"context":{"session_id":"","request_id":"","ip_address":"","accept_language":"","user_agent":""},"post":{"id":"","create_at":0,"update_at":0,"edit_at":0,"delete_at":0,"user_id":"u","channel_id":"c","root_id":"","message":"darn it","type":"","props":"{}","is_pinned":false}}}"#;
        let response = respond(&filter(), line);
        assert_eq!(response.id, 7);
        assert!(matches!(response.result, Some(Reply::Replace { post }) if post.message == "d*rn it" && post.channel_id == "c"));
    }

    #[test]
    fn names_an_unknown_method_and_an_unreadable_line() {
        let unknown = respond(&filter(), r#"{"id":3,"method":"on_activate","params":{"context":{},"post":{}}}"#);
        assert_eq!((unknown.id, unknown.result.is_none()), (3, true));
        assert!(unknown.error.unwrap().contains("on_activate"));
        let garbage = respond(&filter(), "not json");
        assert!(garbage.error.unwrap().starts_with("unreadable request"));
    }
}
