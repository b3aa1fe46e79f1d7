use std::sync::{Arc, Mutex};
use std::time::Duration;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, DeadlineLayer, ErrorKind, SqsRouter};

use crate::support::{context_due_in, failed_ids, fixture, invoke, sqs_batch};

const ORDERS: &str = "arn:aws:sqs:eu-west-1:123456789012:orders";
const ORDERS_FIFO: &str = "arn:aws:sqs:eu-west-1:123456789012:orders.fifo";

type Seen = Arc<Mutex<Vec<String>>>;

/// A handler that fails bodies `fail`, panics on `panic`, sleeps on `slow`.
async fn handle(message: SqsMessage, ctx: Ctx<Seen>) -> Result<(), String> {
    let body = message.body.unwrap_or_default();
    match body.as_str() {
        "fail" => return Err("refused".to_owned()),
        "panic" => panic!("handler blew up"),
        "slow" => tokio::time::sleep(Duration::from_secs(30)).await,
        _ => {}
    }
    ctx.state()
        .lock()
        .unwrap()
        .push(message.message_id.unwrap_or_default());
    Ok(())
}

fn app(seen: &Seen) -> aegis_core::EventDemux {
    let router = SqsRouter::with_state(Arc::clone(seen))
        .queue("orders", handle)
        .queue("orders.fifo", handle);
    App::new("sqs-test")
        .sqs(router)
        .layer(DeadlineLayer::new(Duration::from_millis(100)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn exactly_the_failed_message_ids_are_reported() {
    let seen = Seen::default();
    let batch = sqs_batch(
        ORDERS,
        &[("a", "ok"), ("b", "fail"), ("c", "ok"), ("d", "fail")],
    );
    let reply = invoke(&app(&seen), batch).await.unwrap();
    assert_eq!(failed_ids(&reply), ["b", "d"]);
    assert_eq!(*seen.lock().unwrap(), ["a", "c"]);
}

#[tokio::test]
async fn a_batch_that_all_succeeds_reports_no_failures() {
    let reply = invoke(&app(&Seen::default()), sqs_batch(ORDERS, &[("a", "ok")]))
        .await
        .unwrap();
    assert_eq!(reply.as_str(), r#"{"batchItemFailures":[]}"#);
}

#[tokio::test]
async fn a_panicking_record_fails_alone() {
    let seen = Seen::default();
    let batch = sqs_batch(ORDERS, &[("a", "panic"), ("b", "ok")]);
    let reply = invoke(&app(&seen), batch).await.unwrap();
    assert_eq!(failed_ids(&reply), ["a"]);
    assert_eq!(*seen.lock().unwrap(), ["b"]);
}

#[tokio::test]
async fn on_a_fifo_queue_the_first_failure_fails_every_later_message() {
    let seen = Seen::default();
    let batch = sqs_batch(
        ORDERS_FIFO,
        &[("a", "ok"), ("b", "fail"), ("c", "ok"), ("d", "ok")],
    );
    let reply = invoke(&app(&seen), batch).await.unwrap();
    assert_eq!(failed_ids(&reply), ["b", "c", "d"]);
    assert_eq!(
        *seen.lock().unwrap(),
        ["a"],
        "no message after the failure may run"
    );
}

#[tokio::test]
async fn the_fifo_fixture_is_routed_by_queue_name() {
    let seen = Seen::default();
    let reply = invoke(&app(&seen), fixture("aegis/sqs-fifo-batch.json"))
        .await
        .unwrap();
    assert!(failed_ids(&reply).is_empty());
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn messages_still_running_at_the_deadline_are_reported_and_the_rest_kept() {
    let seen = Seen::default();
    let batch = sqs_batch(ORDERS, &[("a", "ok"), ("b", "slow"), ("c", "ok")]);
    let demux = app(&seen);
    let reply = demux.invoke(batch, context_due_in(600)).await.unwrap();
    assert_eq!(failed_ids(&reply), ["b", "c"]);
    assert_eq!(*seen.lock().unwrap(), ["a"]);
}

#[tokio::test]
async fn a_queue_no_route_names_fails_the_whole_batch_untouched() {
    let seen = Seen::default();
    let batch = sqs_batch(
        "arn:aws:sqs:eu-west-1:123456789012:payments",
        &[("a", "ok")],
    );
    let err = invoke(&app(&seen), batch).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(err.message().contains("payments"), "{}", err.message());
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_message_without_an_id_fails_the_invocation_rather_than_being_lost() {
    let mut batch: serde_json::Value =
        serde_json::from_slice(&sqs_batch(ORDERS, &[("a", "ok")])).unwrap();
    batch["Records"][0]
        .as_object_mut()
        .unwrap()
        .remove("messageId");
    let err = invoke(&app(&Seen::default()), serde_json::to_vec(&batch).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("messageId"), "{}", err.message());
}

#[tokio::test]
async fn the_shipped_fixture_is_accepted_by_an_arn_route() {
    let router = SqsRouter::new().queue(
        "arn:aws:sqs:us-west-2:123456789012:SQSQueue",
        |_m: SqsMessage, _ctx: Ctx| async { Ok::<_, String>(()) },
    );
    let demux = App::new("t").sqs(router).build().unwrap();
    let reply = invoke(&demux, fixture("aws_lambda_events/example-sqs-event.json"))
        .await
        .unwrap();
    assert!(failed_ids(&reply).is_empty());
}

#[tokio::test]
async fn a_router_cloned_before_more_routes_are_added_keeps_only_its_own() {
    let seen = Seen::default();
    let base = SqsRouter::with_state(Arc::clone(&seen)).queue("orders", handle);
    let extended = base.clone().queue("orders.fifo", handle);
    let serve = |router: SqsRouter<Seen>| App::new("sqs-test").sqs(router).build().unwrap();
    let (base, extended) = (serve(base), serve(extended));

    let fifo = sqs_batch(ORDERS_FIFO, &[("f-1", "ok")]);
    let reply = invoke(&extended, fifo.clone()).await.unwrap();
    assert!(failed_ids(&reply).is_empty());
    let err = invoke(&base, fifo).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute, "{err}");
    let reply = invoke(&base, sqs_batch(ORDERS, &[("o-1", "ok")]))
        .await
        .unwrap();
    assert!(failed_ids(&reply).is_empty());
    assert_eq!(*seen.lock().unwrap(), ["f-1", "o-1"]);
}
