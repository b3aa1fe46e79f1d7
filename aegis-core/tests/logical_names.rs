//! Resources named in code by a logical name reach their routes under the physical name the
//! deployed stack gave them, through `AEGIS_NAMES`.
#![allow(missing_docs, clippy::unwrap_used)]

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, BatchFailures, Ctx, ErrorKind, SqsRouter};

fn batch(queue: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"Records": [{
        "messageId": "m-1", "body": "x", "eventSource": "aws:sqs",
        "eventSourceARN": format!("arn:aws:sqs:eu-west-1:123456789012:{queue}"),
    }]}))
    .unwrap()
}

// One test in this binary: the map is read once per process, so it is set before any routing.
#[tokio::test]
async fn a_logical_queue_name_routes_the_physical_queue_and_not_itself() {
    std::env::set_var("AEGIS_NAMES", r#"{"orders":"shop-prod-orders-7f3a"}"#);
    let demux = App::new("t")
        .sqs(
            SqsRouter::new().queue("orders", |_m: SqsMessage, _c: Ctx| async {
                Ok::<_, String>(())
            }),
        )
        .build()
        .unwrap();

    let reply = demux
        .invoke(batch("shop-prod-orders-7f3a"), Default::default())
        .await
        .unwrap();
    assert!(reply.decode::<BatchFailures>().unwrap().is_empty());

    let err = demux
        .invoke(batch("orders"), Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
}
