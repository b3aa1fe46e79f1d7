use std::time::Duration;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, ErrorKind, Invocation, Reply, RpcRouter, SqsRouter, Trigger};
use tower::ServiceBuilder;

use crate::support::{fixture, invoke, sqs_batch};

fn rpc() -> RpcRouter {
    RpcRouter::new()
        .method("ping", |(): (), _ctx: Ctx| async {
            Ok::<_, String>("pong")
        })
        .method("sleep", |ms: u64, _ctx: Ctx| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, String>(ms)
        })
}

fn ping() -> Vec<u8> {
    br#"{"aegis_rpc":1,"method":"ping"}"#.to_vec()
}

#[tokio::test]
async fn an_unknown_event_is_an_error_with_a_diagnostic() {
    let demux = App::new("t").rpc(rpc()).build().unwrap();
    let err = invoke(&demux, br#"{"hello":"world"}"#.to_vec())
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "UnknownEvent");
    assert!(err.message().contains("hello"), "{}", err.message());
}

#[tokio::test]
async fn malformed_json_and_non_objects_are_errors_that_say_so() {
    let demux = App::new("t").rpc(rpc()).build().unwrap();
    for payload in [
        &b"{\"Records\": [1,"[..],
        b"[1,2,3]",
        b"",
        b"\"just a string\"",
        b"\xff\xfe",
    ] {
        let err = invoke(&demux, payload.to_vec()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownEvent);
        assert!(!err.message().is_empty());
    }
}

#[tokio::test]
async fn a_known_trigger_without_a_service_names_what_the_app_serves() {
    let demux = App::new("t").rpc(rpc()).build().unwrap();
    let err = invoke(&demux, fixture("aws_lambda_events/example-sns-event.json"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoService);
    assert!(
        err.message().contains("`sns`") && err.message().contains("rpc"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_fallback_service_receives_unserved_triggers() {
    let fallback = tower::service_fn(|inv: Invocation| async move {
        Reply::json(&format!("fallback saw {}", inv.trigger()))
    });
    let demux = App::new("t").rpc(rpc()).fallback(fallback).build().unwrap();
    let reply = invoke(&demux, fixture("aws_lambda_events/example-sns-event.json"))
        .await
        .unwrap();
    assert_eq!(reply.as_str(), r#""fallback saw sns""#);
}

#[tokio::test]
async fn a_wrongly_typed_field_is_a_decode_error_naming_the_path() {
    let demux = App::new("t")
        .sqs(SqsRouter::new().queue("q", |_m: SqsMessage, _c: Ctx| async { Ok::<_, String>(()) }))
        .build()
        .unwrap();
    let payload = br#"{"Records":[{"eventSource":"aws:sqs","messageId":7,"eventSourceARN":"arn:aws:sqs:r:1:q"}]}"#;
    let err = invoke(&demux, payload.to_vec()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(
        err.message().contains("Records[0].messageId"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_six_megabyte_payload_and_deep_nesting_fail_cleanly_and_the_next_is_served() {
    let demux = App::new("t").rpc(rpc()).build().unwrap();

    let mut big = br#"{"aegis_rpc":1,"method":"ping","args":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 6 * 1024 * 1024));
    big.extend(br#""}"#);
    let err = invoke(&demux, big).await.unwrap_err();
    assert_eq!(err.error_type(), "InvalidArguments");

    let mut deep = br#"{"aegis_rpc":1,"method":"ping","args":"#.to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    deep.extend(std::iter::repeat_n(b']', 100_000));
    deep.push(b'}');
    let err = invoke(&demux, deep).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);

    let mut deep_detail = br#"{"source":"aws.events","detail-type":"Scheduled Event","resources":["arn:aws:events:r:1:rule/t"],"detail":"#.to_vec();
    deep_detail.extend(std::iter::repeat_n(b'[', 100_000));
    deep_detail.extend(std::iter::repeat_n(b']', 100_000));
    deep_detail.push(b'}');
    let schedules = App::new("t")
        .schedules(aegis_core::ScheduleRouter::new().task(
            "t",
            "rate(1 day)",
            |_e, _c: Ctx| async { Ok::<_, String>(()) },
        ))
        .build()
        .unwrap();
    let err = invoke(&schedules, deep_detail).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(
        err.message().contains("recursion limit"),
        "{}",
        err.message()
    );

    assert_eq!(invoke(&demux, ping()).await.unwrap().as_str(), r#""pong""#);
}

#[tokio::test]
async fn a_tower_timeout_on_one_trigger_leaves_the_others_alone() {
    let demux = App::new("t")
        .rpc(rpc())
        .layer_on(
            Trigger::Rpc,
            tower::timeout::TimeoutLayer::new(Duration::from_millis(50)),
        )
        .sqs(
            SqsRouter::new().queue("q", |_m: SqsMessage, _c: Ctx| async {
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok::<_, String>(())
            }),
        )
        .build()
        .unwrap();

    let slow = br#"{"aegis_rpc":1,"method":"sleep","args":500}"#.to_vec();
    let err = invoke(&demux, slow).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);

    let reply = invoke(&demux, sqs_batch("arn:aws:sqs:r:1:q", &[("m", "x")]))
        .await
        .unwrap();
    assert_eq!(reply.as_str(), r#"{"batchItemFailures":[]}"#);
}

#[tokio::test]
async fn an_app_layer_wraps_every_trigger_and_sees_the_matched_route() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let observe = tower::layer::layer_fn(move |inner: aegis_core::InvocationService| {
        let log = Arc::clone(&log);
        tower::service_fn(move |inv: Invocation| {
            let (log, inner) = (Arc::clone(&log), inner.clone());
            async move {
                let trigger = inv.trigger();
                let route = inv.recorded();
                let result = tower::ServiceExt::oneshot(inner, inv).await;
                let outcome = if result.is_ok() { "ok" } else { "error" };
                log.lock()
                    .unwrap()
                    .push(format!("{trigger} {:?} {outcome}", route.route()));
                result
            }
        })
    });
    let demux = App::new("t")
        .rpc(rpc())
        .sqs(SqsRouter::new().queue("q", |_m: SqsMessage, _c: Ctx| async { Ok::<_, String>(()) }))
        .layer(observe)
        .build()
        .unwrap();

    invoke(&demux, ping()).await.unwrap();
    invoke(&demux, sqs_batch("arn:aws:sqs:r:1:q", &[("m", "x")]))
        .await
        .unwrap();
    invoke(&demux, b"{}".to_vec()).await.unwrap_err();
    assert_eq!(
        *seen.lock().unwrap(),
        [
            r#"rpc Some("ping") ok"#,
            r#"sqs Some("q") ok"#,
            "unknown None error"
        ]
    );
}

#[tokio::test]
async fn tower_service_builder_layers_compose_on_a_trigger() {
    let limited = ServiceBuilder::new()
        .concurrency_limit(1)
        .map_response(|reply: Reply| {
            let text: String = reply.decode().unwrap();
            Reply::json(&text.to_uppercase()).unwrap()
        })
        .service(rpc());
    let demux = App::new("t").on(Trigger::Rpc, limited).build().unwrap();
    assert_eq!(invoke(&demux, ping()).await.unwrap().as_str(), r#""PONG""#);
}

#[test]
fn two_services_for_one_trigger_fail_the_build() {
    let err = App::new("t").rpc(rpc()).rpc(rpc()).build().unwrap_err();
    assert!(err.to_string().contains("two services"), "{err}");
}
