//! `classify` and `describe_unknown` on arbitrary bytes: never a panic, and a name that reads
//! back as the same trigger.
#![no_main]

use aegis_core::{classify, describe_unknown, Trigger};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aegis_fuzz::guarded(|| {
    let trigger = classify(data);
    assert_eq!(trigger.as_str().parse::<Trigger>().ok(), Some(trigger));
    if trigger == Trigger::Unknown {
        assert!(!describe_unknown(data).is_empty());
    }
}));
