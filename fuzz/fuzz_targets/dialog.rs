//! libFuzzer entry point for [`confab_fuzz::dialog`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::dialog::check(data));
