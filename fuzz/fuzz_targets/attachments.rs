//! libFuzzer entry point for [`confab_fuzz::attachments`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| confab_fuzz::attachments::check(data));
