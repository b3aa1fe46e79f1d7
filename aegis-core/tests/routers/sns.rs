use std::sync::{Arc, Mutex};

use aegis_core::aws_lambda_events::sns::SnsRecord;
use aegis_core::{App, Ctx, ErrorKind, SnsRouter};

use crate::support::{fixture, invoke};

type Seen = Arc<Mutex<Vec<String>>>;

fn app(topic: &str, seen: &Seen) -> aegis_core::EventDemux {
    let router = SnsRouter::with_state(Arc::clone(seen)).topic(
        topic,
        |r: SnsRecord, ctx: Ctx<Seen>| async move {
            ctx.state()
                .lock()
                .unwrap()
                .push(format!("{}: {}", ctx.route(), r.sns.message));
            Ok::<_, std::io::Error>(())
        },
    );
    App::new("t").sns(router).build().unwrap()
}

#[tokio::test]
async fn a_topic_named_by_name_receives_its_notification() {
    let seen = Seen::default();
    invoke(
        &app("snsNetTest", &seen),
        fixture("aws_lambda_events/example-sns-event.json"),
    )
    .await
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["snsNetTest: Hello\r\nworld!"]);
}

#[tokio::test]
async fn a_topic_named_by_arn_receives_its_notification() {
    let seen = Seen::default();
    let arn = "arn:aws:sns:us-east-1:246796806071:snsNetTest";
    invoke(
        &app(arn, &seen),
        fixture("aws_lambda_events/example-sns-event.json"),
    )
    .await
    .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_notification_of_another_topic_is_an_error_naming_it() {
    let err = invoke(
        &app("alerts", &Seen::default()),
        fixture("aws_lambda_events/example-sns-event.json"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(err.message().contains("snsNetTest"), "{}", err.message());
}
