//! libFuzzer entry point for [`confab_fuzz::manifest`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::manifest::check(data));
