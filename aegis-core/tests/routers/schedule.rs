use std::sync::{Arc, Mutex};

use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::{scheduled_event, App, Ctx, ErrorKind, ScheduleRouter};

use crate::support::{fixture, invoke};

type Seen = Arc<Mutex<Vec<String>>>;

async fn record(_event: EventBridgeEvent, ctx: Ctx<Seen>) -> Result<(), std::io::Error> {
    ctx.state().lock().unwrap().push(ctx.route().to_owned());
    Ok(())
}

fn app(seen: &Seen) -> aegis_core::EventDemux {
    let router = ScheduleRouter::with_state(Arc::clone(seen))
        .task("report", "rate(1 hour)", record)
        .task("nightly-report", "cron(0 3 * * ? *)", record)
        .task("my-scheduled-rule", "rate(5 minutes)", record);
    App::new("t").schedules(router).build().unwrap()
}

#[tokio::test]
async fn an_eventbridge_rule_names_its_task() {
    let seen = Seen::default();
    invoke(
        &app(&seen),
        fixture("aws_lambda_events/example-eventbridge-schedule.json"),
    )
    .await
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["my-scheduled-rule"]);
}

#[tokio::test]
async fn an_eventbridge_scheduler_invocation_names_its_task() {
    let seen = Seen::default();
    invoke(
        &app(&seen),
        fixture("aegis/eventbridge-scheduler-invocation.json"),
    )
    .await
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["nightly-report"]);
}

#[tokio::test]
async fn a_rule_prefixed_with_the_app_name_finds_the_longest_task() {
    let seen = Seen::default();
    invoke(&app(&seen), scheduled_event("shop-nightly-report"))
        .await
        .unwrap();
    invoke(&app(&seen), scheduled_event("shop-report"))
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["nightly-report", "report"]);
}

#[tokio::test]
async fn an_unknown_task_is_an_error_naming_the_rule_and_the_tasks() {
    let err = invoke(&app(&Seen::default()), scheduled_event("cleanup"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(err.message().contains("`cleanup`"), "{}", err.message());
    assert!(
        err.message().contains("nightly-report"),
        "{}",
        err.message()
    );
}

#[test]
fn an_invalid_expression_fails_the_build_naming_the_task() {
    let router = ScheduleRouter::with_state(Seen::default())
        .task("ok", "rate(1 day)", record)
        .task("typo", "rate(5 minute)", record);
    let err = App::new("t").schedules(router).build().unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert!(err.to_string().contains("task `typo`"), "{err}");
    assert!(err.to_string().contains("rate(5 minute)"), "{err}");
}

#[test]
fn the_manifest_lists_each_task_with_its_expression() {
    let demux = app(&Seen::default());
    let tasks: Vec<_> = demux
        .manifest()
        .schedules
        .iter()
        .map(|s| (s.task.as_str(), s.expression.as_str()))
        .collect();
    assert_eq!(tasks[1], ("nightly-report", "cron(0 3 * * ? *)"));
}
