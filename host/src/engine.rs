//! The one wasmtime `Engine`: component model, async calls, fuel metering, and the pooling allocator when the address space allows.
//!
//! There is no epoch interruption: measured on the word-filter call, epoch checks cost
//! as much again as fuel metering (about 4,500 instructions of a 36,000-instruction
//! call), and fuel already gives the running call a place to stop and look at the
//! clock — every [`EngineOptions::deadline_check_fuel`] units it yields to the
//! executor, where the call's deadline timer is checked (see `deadline.rs`).

use crate::deadline::Pacing;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, OptLevel, PoolingAllocationConfig};

/// How the engine is built.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Try the pooling allocator (falls back to on-demand when it cannot reserve its
    /// address space, e.g. under a `ulimit -v`).
    pub pooling: bool,
    /// Instances the pooling allocator reserves slots for, across all plugins.
    pub pool_total_instances: u32,
    /// Largest linear memory any instance may have; per-plugin caps sit below it.
    pub max_memory_bytes: usize,
    /// Fuel a call may burn between two looks at its deadline. Each look is a yield
    /// to the executor, so a busy plugin also shares its thread: 1,000,000 units is
    /// about a millisecond of plugin code, and costs a microsecond per yield.
    pub deadline_check_fuel: u64,
    /// How much of a thread a hook call may use once it has run for a while; the
    /// pauses happen at the deadline checks above.
    pub pacing: Pacing,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            pooling: true,
            pool_total_instances: 1_000,
            max_memory_bytes: crate::limits::Limits::ceiling().memory_bytes,
            deadline_check_fuel: 1_000_000,
            pacing: Pacing::default(),
        }
    }
}

fn base_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.consume_fuel(true);
    config.cranelift_opt_level(OptLevel::Speed);
    // The map from machine code back to wasm offsets is about 8% of every artifact, kept
    // in memory for each loaded plugin, and read only to print the offsets in a trap's
    // backtrace; the function names there come from the name section and stay.
    config.generate_address_map(false);
    // Deep recursion must end in a clean stack-overflow trap, well inside the fiber stack.
    config.max_wasm_stack(512 << 10);
    config.async_stack_size(2 << 20);
    config
}

fn pooling_config(options: &EngineOptions) -> PoolingAllocationConfig {
    let n = options.pool_total_instances.max(1);
    let mut pool = PoolingAllocationConfig::default();
    // A Rust wasip2 component holds a few core instances (the program plus adapter
    // shims) and JS/Python runtimes more; these numbers leave room for both.
    pool.total_component_instances(n)
        .total_core_instances(n.saturating_mul(8))
        .total_memories(n.saturating_mul(2))
        .total_tables(n.saturating_mul(8))
        .total_stacks(n)
        .max_core_instances_per_component(64)
        .max_memories_per_component(8)
        .max_tables_per_component(32)
        .max_component_instance_size(4 << 20)
        .max_core_instance_size(4 << 20)
        .max_memory_size(options.max_memory_bytes)
        .max_unused_warm_slots(n.min(100));
    pool
}

/// Build the engine: pooling first, on-demand if the pool cannot be reserved.
/// Returns whether pooling is in use.
pub(crate) fn build_engine(options: &EngineOptions) -> wasmtime::Result<(Engine, bool)> {
    if options.pooling {
        let mut config = base_config();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config(options)));
        match Engine::new(&config) {
            Ok(engine) => return Ok((engine, true)),
            Err(e) => tracing::warn!(error = %e, "pooling allocator unavailable, using on-demand allocation"),
        }
    }
    Ok((Engine::new(&base_config())?, false))
}
