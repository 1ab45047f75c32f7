//! libFuzzer entry point for [`confab_fuzz::bundle_extract`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::bundle_extract::check(data));
