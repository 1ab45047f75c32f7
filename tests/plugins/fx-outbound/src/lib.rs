//! Fixture `fx-outbound`: a post `fetch <url>` sends one GET to any URL it is told, `flood <n> <url>` up to n of them; the post is replaced by what came back, so a test sees the host's and the guard's verdict.

use confab_plugin::prelude::*;
use confab_plugin::{http, log};

/// Body bytes echoed into the post, enough to recognise a fake server's answer.
const SHOWN: usize = 64;

/// `ok <status> <body length> <body start>` or `err <error>`.
fn fetch(url: &str) -> String {
    match http::get(url) {
        Ok(response) => {
            let body = String::from_utf8_lossy(&response.body[..response.body.len().min(SHOWN)]).into_owned();
            format!("ok {} {} {body}", response.status, response.body.len())
        }
        Err(e) => format!("err {e}"),
    }
}

/// `flood <sent> <first error or "done">`: GETs until n are done or one fails.
fn flood(n: u32, url: &str) -> String {
    for sent in 0..n {
        if let Err(e) = http::get(url) {
            return format!("flood {sent} {e}");
        }
    }
    format!("flood {n} done")
}

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-outbound activated", &[]);
        Ok(())
    }

    fn message_will_be_posted(&self, post: &HookPost) -> PostVerdict {
        let words: Vec<&str> = post.message().split_whitespace().collect();
        let answer = match words.as_slice() {
            ["fetch", url] => fetch(url),
            ["flood", n, url] => flood(n.parse().unwrap_or(1), url),
            _ => return PostVerdict::Allow,
        };
        PostVerdict::message(answer)
    }
}
