//! libFuzzer entry point for [`confab_fuzz::command_response`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::command_response::check(data));
