//! Arbitrary bytes through an app with every router. The first byte picks how: classified, as
//! `EventDemux::invoke` does, or forced to one trigger, so each router's decode path meets
//! payloads of every shape. Every outcome is a reply or an `aegis_core::Error`; a panic out of
//! the demux is a crash.
#![no_main]

use aegis_core::Trigger;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| aegis_fuzz::guarded(|| {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let all: Vec<Trigger> = Trigger::ALL.into_iter().collect();
    let trigger = aegis_fuzz::forced(selector, &all);
    let _ = aegis_fuzz::run(aegis_fuzz::shared_app(), trigger, payload);
}));
