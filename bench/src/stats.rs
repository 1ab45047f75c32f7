//! Repeated measurement: warm up, time several rounds, report median, min and max per operation.

use std::time::{Duration, Instant};

use serde::Serialize;

/// Median, min and max of one figure, in the figure's unit.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Summary {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(mut samples: Vec<f64>) -> Summary {
        assert!(!samples.is_empty(), "no samples");
        samples.sort_by(f64::total_cmp);
        Summary { median: samples[samples.len() / 2], min: samples[0], max: samples[samples.len() - 1] }
    }
}

/// How much to measure: `--quick` keeps the whole suite under two minutes.
#[derive(Debug, Clone, Copy)]
pub struct Effort {
    pub rounds: usize,
    pub ops_per_round: u32,
    pub warmup_ops: u32,
}

impl Effort {
    pub fn new(quick: bool) -> Effort {
        if quick { Effort { rounds: 5, ops_per_round: 1_000, warmup_ops: 500 } } else { Effort { rounds: 21, ops_per_round: 10_000, warmup_ops: 5_000 } }
    }
}

/// Time `op` per call in microseconds over the effort's rounds, after a warm-up.
pub async fn micros_per_op_async<F: AsyncFnMut()>(effort: Effort, mut op: F) -> Summary {
    for _ in 0..effort.warmup_ops {
        op().await;
    }
    let mut samples = Vec::with_capacity(effort.rounds);
    for _ in 0..effort.rounds {
        let started = Instant::now();
        for _ in 0..effort.ops_per_round {
            op().await;
        }
        samples.push(per_op_micros(started.elapsed(), effort.ops_per_round));
    }
    Summary::of(samples)
}

fn per_op_micros(elapsed: Duration, ops: u32) -> f64 {
    elapsed.as_secs_f64() * 1e6 / f64::from(ops)
}
