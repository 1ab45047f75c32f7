//! Host runtime tests against real compiled plugin components (built by `cargo xtask plugins`), never mocks of wasmtime.

mod harness;

mod api_0_2;
mod cache;
mod capabilities;
mod chain;
mod examples;
mod hooks;
mod jobs;
mod limits;
mod multilang;
mod pool;
mod reload;
mod versions;
