//! libFuzzer entry point for [`confab_fuzz::webhook_payload`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::webhook_payload::check(data));
