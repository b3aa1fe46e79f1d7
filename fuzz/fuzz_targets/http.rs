//! Arbitrary bytes as the events of the HTTP triggers, through `aegis_axum::HttpService` and a
//! small axum router. The first byte picks classified or one HTTP trigger. Every outcome is an
//! error or a response object with a status code.
#![no_main]

use std::sync::OnceLock;

use aegis_axum::AppExt;
use aegis_core::{App, EventDemux, Trigger};
use libfuzzer_sys::fuzz_target;

const HTTP: [Trigger; 5] = [
    Trigger::ApigwRest,
    Trigger::ApigwHttp,
    Trigger::FunctionUrl,
    Trigger::Alb,
    Trigger::VpcLattice,
];

fn app() -> &'static EventDemux {
    static APP: OnceLock<EventDemux> = OnceLock::new();
    APP.get_or_init(|| {
        App::new("fuzz-http")
            .router(aegis_fuzz::http_router())
            .build()
            .expect("valid app")
    })
}

fuzz_target!(|data: &[u8]| aegis_fuzz::guarded(|| {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let trigger = aegis_fuzz::forced(selector, &HTTP);
    if let Ok(reply) = aegis_fuzz::run(app(), trigger, payload) {
        let response: serde_json::Value = reply.decode().expect("a reply is JSON");
        let status = response["statusCode"].as_u64();
        assert!(
            status.is_some_and(|s| (100..600).contains(&s)),
            "a response without a status: {response}"
        );
    }
}));
