//! B1 and B2: one `message-will-be-posted` call through the full host path, against a native baseline and a bare wasmtime call; then a chain of ten plugins.

use std::hint::black_box;
use std::sync::Arc;

use confab_host::types::{PluginContext, Post};
use confab_host::{HostConfig, LoadOptions, NoServer, PluginHost, WillOutcome};

use crate::bare::{self, BareInstance};
use crate::fixtures;
use crate::report::Row;
use crate::stats::{Effort, micros_per_op, micros_per_op_async};

#[path = "../../example-plugins/word-filter/src/filter.rs"]
#[allow(dead_code, unreachable_pub)]
mod filter;

fn post() -> Post {
    Post { channel_id: "c".repeat(26), user_id: "u".repeat(26), message: fixtures::message_200(), props: "{}".into(), ..Default::default() }
}

/// B1; returns the host-path median for B2's baseline.
pub async fn b1(effort: Effort, tmp: &std::path::Path) -> anyhow::Result<(Row, f64)> {
    let mut row = Row {
        id: "B1",
        what: "one `message-will-be-posted` call, 200-byte post, word-filter (Rust): full host path (pool checkout, fuel, deadline, metrics)",
        figures: vec![],
        ratios: vec![],
        target: "≤ 2.0 µs, ≤ 2× (b)",
        met: None,
        note: String::new(),
    };

    // (a) the same filter source compiled natively.
    let (native, _) = filter::Filter::new("darn=d*rn, heck=h*ck", "");
    let p = post();
    let a = row.figure(
        "(a) native Rust function",
        "µs",
        micros_per_op(effort, || {
            let p = black_box(p.clone());
            let result = match native.check(&p.message) {
                filter::Verdict::Replaced(message) => Some(Post { message, ..p }),
                _ => None,
            };
            black_box(result);
        }),
    );

    // (b) bare wasmtime: same component, no host machinery.
    let mut bare = BareInstance::new(&fixtures::wasm("word_filter")?, fixtures::WORD_FILTER_SETTINGS)?;
    let bare_ctx = bare::PluginContext {
        session_id: String::new(),
        request_id: String::new(),
        ip_address: String::new(),
        accept_language: String::new(),
        user_agent: String::new(),
    };
    let bare_post = bare::Post {
        id: String::new(),
        create_at: 0,
        update_at: 0,
        edit_at: 0,
        delete_at: 0,
        user_id: p.user_id.clone(),
        channel_id: p.channel_id.clone(),
        root_id: String::new(),
        message: p.message.clone(),
        type_: String::new(),
        props: "{}".into(),
        is_pinned: false,
    };
    let b = row.figure(
        "(b) bare wasmtime call",
        "µs",
        micros_per_op(effort, || {
            let result = bare.will_be_posted(&bare_ctx, &bare_post);
            assert!(matches!(result, bare::WillResult::Replace(_)));
        }),
    );

    // The host path.
    let host = PluginHost::new(HostConfig { cache_dir: tmp.join("b1-cache"), ..HostConfig::default() }, Arc::new(NoServer))?;
    host.load(&fixtures::word_filter(&tmp.join("b1"), "bench.word-filter")?, LoadOptions { grant_all_requested: true, ..Default::default() }).await?;
    let ctx = PluginContext::default();
    let h = row.figure(
        "host path",
        "µs",
        micros_per_op_async(effort, async || {
            let outcome = host.message_will_be_posted(&ctx, p.clone()).await;
            assert!(matches!(outcome, WillOutcome::Continue(ref post) if post.message.starts_with("d*rn")));
        })
        .await,
    );
    let fuel = host.metrics().hooks["bench.word-filter"]["message-will-be-posted"].clone();
    row.ratios.push(("host / (b)".into(), h.median / b.median));
    row.ratios.push(("host / (a)".into(), h.median / a.median));
    row.met = Some(h.median <= 2.0 && h.median <= 2.0 * b.median);
    row.note = format!(
        "fuel per call {}. The host path adds, per call: a semaphore permit, an instance from the idle list, fuel refill, the epoch deadline, a tokio timeout, \
         the post converted to and from WIT records, and the metrics update.",
        fuel.fuel_used / fuel.calls.max(1)
    );
    host.shutdown().await;
    Ok((row, h.median))
}

/// B2: ten plugins (word-filter under ten ids) on one post.
pub async fn b2(effort: Effort, tmp: &std::path::Path, b1_host: f64) -> anyhow::Result<Row> {
    let mut row = Row {
        id: "B2",
        what: "a chain of 10 plugins on one post",
        figures: vec![],
        ratios: vec![],
        target: "≤ 20 µs per post",
        met: None,
        note: String::new(),
    };
    let host = PluginHost::new(HostConfig { cache_dir: tmp.join("b2-cache"), ..HostConfig::default() }, Arc::new(NoServer))?;
    for i in 0..10 {
        host.load(&fixtures::word_filter(&tmp.join("b2"), &format!("bench.chain-{i:02}"))?, LoadOptions { grant_all_requested: true, ..Default::default() })
            .await?;
    }
    let ctx = PluginContext::default();
    let p = post();
    let chain = row.figure(
        "10-plugin chain",
        "µs",
        micros_per_op_async(effort, async || {
            let outcome = host.message_will_be_posted(&ctx, p.clone()).await;
            assert!(matches!(outcome, WillOutcome::Continue(_)));
        })
        .await,
    );
    row.ratios.push(("chain / (B1 × 10)".into(), chain.median / (b1_host * 10.0)));
    row.met = Some(chain.median <= 20.0);
    row.note = "Each link after the first sees the previous replacement, so later links find nothing to replace and allow.".into();
    host.shutdown().await;
    Ok(row)
}
