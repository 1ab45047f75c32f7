//! Fixture `fx-lifecycle-only`: exports only `lifecycle` (activate logs), so a test can
//! check that the host never calls a family a component does not export.

use confab_plugin::log;
use confab_plugin::prelude::*;

#[derive(Default)]
struct Fixture;

#[plugin]
impl Plugin for Fixture {
    fn activate(&self) -> Result<(), String> {
        log::info("fx-lifecycle-only activated", &[]);
        Ok(())
    }
}
