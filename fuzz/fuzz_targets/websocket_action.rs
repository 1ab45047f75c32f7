//! libFuzzer entry point for [`confab_fuzz::websocket_action`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::websocket_action::check(data));
