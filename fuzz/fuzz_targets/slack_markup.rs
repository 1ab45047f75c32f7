//! libFuzzer entry point for [`confab_fuzz::slack_markup`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::slack_markup::check(data));
