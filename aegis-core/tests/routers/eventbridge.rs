use std::sync::{Arc, Mutex};

use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::{App, Ctx, ErrorKind, EventBridgeRouter, EventRule};
use serde_json::{json, Value};

use crate::support::{fixture, invoke};

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
struct StateChange {
    instance_id: String,
    state: String,
}

type Seen = Arc<Mutex<Vec<String>>>;

fn ec2_event(state: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&fixture(
        "aws_lambda_events/example-eventbridge-event-obj.json",
    ))
    .unwrap();
    event["detail"]["state"] = state.into();
    serde_json::to_vec(&event).unwrap()
}

fn router(seen: &Seen) -> EventBridgeRouter<Seen> {
    EventBridgeRouter::with_state(Arc::clone(seen))
        .route(
            EventRule::new("aws.ec2", "EC2 Instance State-change *")
                .detail(json!({"state": ["running", {"prefix": "stop"}]}))
                .name("ec2-up-or-down"),
            |event: EventBridgeEvent<StateChange>, ctx: Ctx<Seen>| async move {
                ctx.state().lock().unwrap().push(format!(
                    "{}:{}",
                    event.detail.instance_id, event.detail.state
                ));
                Ok::<_, String>(())
            },
        )
        .route(
            EventRule::source("aws.*"),
            |event: EventBridgeEvent, ctx: Ctx<Seen>| async move {
                ctx.state()
                    .lock()
                    .unwrap()
                    .push(format!("any:{}", event.detail["state"]));
                Ok::<_, String>(())
            },
        )
}

#[tokio::test]
async fn the_first_route_whose_detail_pattern_matches_gets_the_typed_detail() {
    let seen = Seen::default();
    let demux = App::new("eb").eventbridge(router(&seen)).build().unwrap();
    invoke(&demux, ec2_event("stopping")).await.unwrap();
    invoke(&demux, ec2_event("pending")).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["i-abcd1111:stopping", r#"any:"pending""#]
    );
}

#[tokio::test]
async fn an_event_no_route_matches_names_its_source_and_detail_type() {
    let router = EventBridgeRouter::new().route(
        EventRule::new("com.shop", "Order Placed"),
        |_e: EventBridgeEvent, _ctx: Ctx| async { Ok::<_, String>(()) },
    );
    let demux = App::new("eb").eventbridge(router).build().unwrap();
    let err = invoke(&demux, ec2_event("running")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("source `aws.ec2`"),
        "{}",
        err.message()
    );
    assert!(
        err.message()
            .contains("detail-type `EC2 Instance State-change Notification`"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_detail_that_does_not_fit_the_handlers_type_is_an_error_naming_the_route() {
    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    struct Order {
        total: f64,
    }
    let router = EventBridgeRouter::new().route(
        EventRule::source("aws.ec2").name("orders"),
        |_e: EventBridgeEvent<Order>, _ctx: Ctx| async { Ok::<_, String>(()) },
    );
    let demux = App::new("eb").eventbridge(router).build().unwrap();
    let err = invoke(&demux, ec2_event("running")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(
        err.message().contains("route `orders`"),
        "{}",
        err.message()
    );
    assert!(err.message().contains("total"), "{}", err.message());
}

#[test]
fn an_invalid_detail_pattern_fails_the_build_naming_the_route_and_the_place() {
    let router = EventBridgeRouter::new().route(
        EventRule::source("aws.ec2")
            .detail(json!({"state": [{"prefix": 7}]}))
            .name("broken"),
        |_e: EventBridgeEvent, _ctx: Ctx| async { Ok::<_, String>(()) },
    );
    let err = App::new("eb").eventbridge(router).build().unwrap_err();
    let problem = &err.problems()[0];
    assert!(problem.contains("route `broken`"), "{problem}");
    assert!(problem.contains("detail.state[0]"), "{problem}");
    assert!(problem.contains("`prefix` takes a string"), "{problem}");
}

#[test]
fn the_manifest_carries_each_route_as_an_eventbridge_pattern() {
    let demux = App::new("eb")
        .eventbridge(router(&Seen::default()))
        .build()
        .unwrap();
    let declared = &demux.manifest().eventbridge;
    assert_eq!(declared.len(), 2);
    assert_eq!(declared[0].route, "ec2-up-or-down");
    assert_eq!(
        declared[0].pattern,
        json!({
            "source": ["aws.ec2"],
            "detail-type": [{"prefix": "EC2 Instance State-change "}],
            "detail": {"state": ["running", {"prefix": "stop"}]}
        })
    );
    assert_eq!(declared[1].pattern, json!({"source": [{"prefix": "aws."}]}));
    assert_eq!(declared[1].detail, None);
}
