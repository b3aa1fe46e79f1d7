//! The Cognito, SES and CloudWatch Logs routers.

use std::io::Write;
use std::sync::{Arc, Mutex};

use aegis_core::aws_lambda_events::cloudwatch_logs::LogData;
use aegis_core::aws_lambda_events::cognito::CognitoEventUserPoolsPreSignup;
use aegis_core::aws_lambda_events::ses::SimpleEmailRecord;
use aegis_core::{App, CognitoRouter, Ctx, ErrorKind, LogsRouter, SesRouter};
use base64::Engine;
use serde_json::{json, Value};

use crate::support::{fixture, invoke};

#[tokio::test]
async fn a_cognito_handler_answers_with_the_whole_event_and_its_response_filled_in() {
    let router = CognitoRouter::new().trigger(
        "PreSignUp_*",
        |mut event: CognitoEventUserPoolsPreSignup, _ctx: Ctx| async move {
            event.response.auto_confirm_user = true;
            Ok::<_, String>(event)
        },
    );
    let demux = App::new("c").cognito(router).build().unwrap();
    let reply = invoke(
        &demux,
        fixture("aws_lambda_events/example-cognito-event-userpools-presignup.json"),
    )
    .await
    .unwrap();
    let reply: Value = reply.decode().unwrap();
    assert_eq!(reply["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(reply["response"]["autoConfirmUser"], true);
    assert!(reply["request"]["userAttributes"].is_object(), "{reply}");
    assert_eq!(demux.manifest().cognito, ["PreSignUp_*"]);
}

#[tokio::test]
async fn a_cognito_trigger_no_route_matches_is_an_error_naming_it() {
    let router = CognitoRouter::new()
        .trigger("PostConfirmation_*", |e: Value, _ctx: Ctx| async move {
            Ok::<_, String>(e)
        });
    let demux = App::new("c").cognito(router).build().unwrap();
    let err = invoke(
        &demux,
        fixture("aws_lambda_events/example-cognito-event-userpools-presignup.json"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("`PreSignUp_SignUp`"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn mail_is_routed_by_recipient_glob_ignoring_case() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let router = SesRouter::new()
        .recipient(
            "support@example.com",
            |_m: SimpleEmailRecord, _ctx: Ctx| async { Err::<(), _>("not for support".to_owned()) },
        )
        .recipient("*@Amazon.com", move |m: SimpleEmailRecord, _ctx: Ctx| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(m.ses.receipt.recipients.join(","));
                Ok::<_, String>(())
            }
        });
    let demux = App::new("m").ses(router).build().unwrap();
    invoke(
        &demux,
        fixture("aws_lambda_events/example-ses-lambda-event.json"),
    )
    .await
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["lambda@amazon.com"]);
    assert_eq!(
        demux.manifest().ses,
        ["support@example.com", "*@Amazon.com"]
    );
}

#[tokio::test]
async fn mail_for_no_route_is_an_error_naming_the_recipients() {
    let router = SesRouter::new()
        .recipient("*@example.com", |_m: SimpleEmailRecord, _ctx: Ctx| async {
            Ok::<_, String>(())
        });
    let demux = App::new("m").ses(router).build().unwrap();
    let err = invoke(&demux, fixture("aws_lambda_events/example-ses-event.json"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("lambda@amazon.com"),
        "{}",
        err.message()
    );
}

fn logs_event(batch: &Value) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&serde_json::to_vec(batch).unwrap()).unwrap();
    let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
    serde_json::to_vec(&json!({"awslogs": {"data": data}})).unwrap()
}

fn logs_demux(seen: &Arc<Mutex<Vec<String>>>) -> aegis_core::EventDemux {
    let router = LogsRouter::with_state(Arc::clone(seen)).log_group(
        "test*",
        |batch: LogData, ctx: Ctx<Arc<Mutex<Vec<String>>>>| async move {
            let mut seen = ctx.state().lock().unwrap();
            seen.extend(batch.log_events.into_iter().map(|e| e.id));
            Ok::<_, String>(())
        },
    );
    App::new("l").logs(router).build().unwrap()
}

#[tokio::test]
async fn a_log_subscription_batch_is_unpacked_and_routed_by_log_group() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    invoke(
        &logs_demux(&seen),
        fixture("aws_lambda_events/example-cloudwatch_logs-event.json"),
    )
    .await
    .unwrap();
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(logs_demux(&seen).manifest().log_groups, ["test*"]);
}

#[tokio::test]
async fn a_control_message_is_acknowledged_without_a_handler() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let control = json!({
        "messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
        "logStream": "", "subscriptionFilters": [],
        "logEvents": [{"id": "", "timestamp": 1, "message": "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."}]
    });
    invoke(&logs_demux(&seen), logs_event(&control))
        .await
        .unwrap();
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn undecodable_log_data_and_unknown_groups_are_clear_errors() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let garbage = serde_json::to_vec(&json!({"awslogs": {"data": "not base64!"}})).unwrap();
    let err = invoke(&logs_demux(&seen), garbage).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("base64"), "{}", err.message());

    let other = json!({
        "messageType": "DATA_MESSAGE", "owner": "1", "logGroup": "/aws/lambda/other",
        "logStream": "s", "subscriptionFilters": ["f"], "logEvents": []
    });
    let err = invoke(&logs_demux(&seen), logs_event(&other))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("/aws/lambda/other"),
        "{}",
        err.message()
    );
}
