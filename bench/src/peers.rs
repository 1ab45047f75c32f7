//! The peers of B1 and B2: the same word-filter work done (d) by an Extism plugin over JSON and (e) by an out-of-process plugin over a Unix-socket JSON RPC, timed in turns with the host path so `host / (d)` and `host / (e)` come from the same rounds.

mod extism_plugin;
mod oop;
#[allow(dead_code, unreachable_pub)]
mod wire;

use std::path::Path;
use std::time::Instant;

use confab_host::types::{PluginContext, Post};
use confab_host::{PluginHost, WillOutcome};

use self::extism_plugin::ExtismPeer;
use self::oop::OopPeer;
use crate::fixtures;
use crate::report::Row;
use crate::stats::{Effort, Summary};

/// What the peers' figures include, for the row's note.
pub const NOTE: &str = " Peers, timed in turns with the host path in rounds of their own (the host / peer ratios are medians of those rounds' ratios): \
    (d) is the same filter source built with extism-pdk for wasm32-unknown-unknown (`bench/extism-guest`), called through the `extism` crate \
    with Extism's fuel limit at the host's 500M per call; each call includes encoding the context and post as JSON, Extism copying it into the \
    guest, the guest decoding it, filtering and encoding the replacement, and the host decoding it. (e) is the same filter in its own process \
    (`confab-bench-oop-plugin`) on one Unix-socket connection per plugin, one call outstanding, a JSON header and body per message as \
    go-plugin's net/rpc sends; each call includes both JSON encodings and decodings, a write and a read on each side (syscalls), and the wake-ups \
    of the plugin's thread and the bench's tokio task; neither peer has the host's pool, deadline, capability checks or metrics.";

/// The word the filter must have replaced in every answer.
const REPLACED: &str = "d*rn";

/// Who answers the hook: the host path or one of the peers.
#[derive(Debug, Clone, Copy)]
enum Who {
    Host,
    Extism,
    OutOfProcess,
}

/// A chain of `links` plugins of each kind on the same post: the host's (already
/// loaded), `links` Extism instances and `links` plugin processes.
struct Chains<'a> {
    host: &'a PluginHost,
    ctx: &'a PluginContext,
    post: &'a Post,
    extism: Vec<ExtismPeer>,
    oop: Vec<OopPeer>,
}

impl Chains<'_> {
    /// One hook call through the whole chain of `who`, checking the filter's work.
    async fn call(&mut self, who: Who) -> anyhow::Result<()> {
        let message = match who {
            Who::Host => match self.host.message_will_be_posted(self.ctx, self.post.clone()).await {
                WillOutcome::Continue(post) => post.message,
                other => anyhow::bail!("the host path answered {other:?}"),
            },
            Who::Extism => {
                let mut current: Option<Post> = None;
                for peer in &mut self.extism {
                    if let Some(post) = peer.will_be_posted(self.ctx, current.as_ref().unwrap_or(self.post))? {
                        current = Some(post);
                    }
                }
                current.map(|p| p.message).unwrap_or_default()
            }
            Who::OutOfProcess => {
                let mut current: Option<Post> = None;
                for peer in &mut self.oop {
                    if let Some(post) = peer.will_be_posted(self.ctx, current.as_ref().unwrap_or(self.post)).await? {
                        current = Some(post);
                    }
                }
                current.map(|p| p.message).unwrap_or_default()
            }
        };
        anyhow::ensure!(message.starts_with(REPLACED), "{who:?} did not filter the post: {message:?}");
        Ok(())
    }

    async fn run(&mut self, who: Who, n: u32) -> anyhow::Result<()> {
        for _ in 0..n {
            self.call(who).await?;
        }
        Ok(())
    }

    /// Stop every plugin process, each within its bound.
    async fn stop(self) -> anyhow::Result<()> {
        for peer in self.oop {
            peer.stop().await?;
        }
        Ok(())
    }
}

/// Time the host path, (d) and (e) in turns on chains of `links` plugins, and add
/// (d)'s and (e)'s figures, `host / (d)`, `host / (e)` and [`NOTE`] to `row`. `host`
/// must hold exactly `links` word-filters.
pub async fn add_to(row: &mut Row, effort: Effort, tmp: &Path, host: &PluginHost, ctx: &PluginContext, post: &Post, links: usize) -> anyhow::Result<()> {
    let label = if links == 1 { "one call".to_string() } else { format!("{links}-plugin chain") };
    let compiled = extism_plugin::compile(fixtures::WORD_FILTER_SETTINGS)?;
    let extism = (0..links).map(|_| ExtismPeer::new(&compiled)).collect::<anyhow::Result<Vec<_>>>()?;
    let mut oop = Vec::with_capacity(links);
    for i in 0..links {
        oop.push(OopPeer::spawn(&tmp.join(format!("oop-{}-{i:02}", row.id)), fixtures::WORD_FILTER_SETTINGS).await?);
    }
    let mut chains = Chains { host, ctx, post, extism, oop };
    let timed = time_in_turns(&mut chains, effort).await;
    chains.stop().await?;
    let [h, d, e] = timed?;
    row.figure(format!("(d) Extism plugin, JSON in and out: {label}"), "µs", Summary::of(d.clone()));
    row.figure(format!("(e) out-of-process plugin, JSON RPC over a Unix socket: {label}"), "µs", Summary::of(e.clone()));
    row.ratios.push(("host / (d) Extism".into(), per_round(&h, &d)));
    row.ratios.push(("host / (e) out-of-process".into(), per_round(&h, &e)));
    row.note.push_str(NOTE);
    Ok(())
}

/// Warm each subject up, then time them in turns, round after round: µs per call
/// of the chain, per round, for the host path, (d) and (e).
async fn time_in_turns(chains: &mut Chains<'_>, effort: Effort) -> anyhow::Result<[Vec<f64>; 3]> {
    const ORDER: [Who; 3] = [Who::Host, Who::Extism, Who::OutOfProcess];
    for who in ORDER {
        chains.run(who, effort.warmup_ops).await?;
    }
    let mut samples: [Vec<f64>; 3] = Default::default();
    for _ in 0..effort.rounds {
        for (i, who) in ORDER.into_iter().enumerate() {
            let started = Instant::now();
            chains.run(who, effort.ops_per_round).await?;
            samples[i].push(started.elapsed().as_secs_f64() * 1e6 / f64::from(effort.ops_per_round));
        }
    }
    Ok(samples)
}

/// The median of the per-round ratios `x / y`.
fn per_round(x: &[f64], y: &[f64]) -> f64 {
    Summary::of(x.iter().zip(y).map(|(a, b)| a / b).collect()).median
}
