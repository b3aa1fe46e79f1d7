use aegis_core::aws_lambda_events::firehose::KinesisFirehoseEventRecord;
use aegis_core::{App, Ctx, ErrorKind, EventDemux, FirehoseRouter, Transformed};
use base64::Engine;
use serde_json::{json, Value};

use crate::support::{fixture, invoke};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Upper-cases text; `drop` is dropped, `bad` refused, `fail` an error, `panic` a panic.
async fn shout(record: KinesisFirehoseEventRecord, _ctx: Ctx) -> Result<Transformed, String> {
    match std::str::from_utf8(&record.data).unwrap() {
        "drop" => Ok(Transformed::Dropped),
        "bad" => Ok(Transformed::ProcessingFailed),
        "fail" => Err("cannot shout".to_owned()),
        "panic" => panic!("shouting hurts"),
        text => Ok(Transformed::Ok(text.to_uppercase().into_bytes())),
    }
}

fn app() -> EventDemux {
    let router = FirehoseRouter::new().stream("events", shout);
    App::new("fh").firehose(router).build().unwrap()
}

/// The shipped fixture's batch (delivery stream `…:events`) with one record per data string;
/// `None` puts invalid base64 in.
fn batch(records: &[Option<&str>]) -> Vec<u8> {
    let mut event: Value =
        serde_json::from_slice(&fixture("aws_lambda_events/example-firehose-event.json")).unwrap();
    let template = event["records"][0].clone();
    let records: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(i, data)| {
            let mut r = template.clone();
            r["recordId"] = format!("r{i}").into();
            r["data"] = data.map_or("%%%".to_owned(), |d| b64(d.as_bytes())).into();
            r
        })
        .collect();
    event["records"] = records.into();
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test]
async fn the_shipped_fixture_is_transformed_record_by_record() {
    let reply = invoke(
        &app(),
        fixture("aws_lambda_events/example-firehose-event.json"),
    )
    .await
    .unwrap();
    let hello = b64(b"HELLO WORLD");
    assert_eq!(
        reply.decode::<Value>().unwrap(),
        json!({"records": [
            {"recordId": "record1", "result": "Ok", "data": hello},
            {"recordId": "record2", "result": "Ok", "data": hello},
        ]})
    );
}

#[tokio::test]
async fn every_record_is_answered_and_only_its_own_failure_marks_it() {
    let payload = batch(&[
        Some("a"),
        Some("drop"),
        Some("fail"),
        Some("panic"),
        None,
        Some("bad"),
        Some("z"),
    ]);
    let reply: Value = invoke(&app(), payload).await.unwrap().decode().unwrap();
    let results: Vec<(&str, &str)> = reply["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["recordId"].as_str().unwrap(),
                r["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("r0", "Ok"),
            ("r1", "Dropped"),
            ("r2", "ProcessingFailed"),
            ("r3", "ProcessingFailed"),
            ("r4", "ProcessingFailed"),
            ("r5", "ProcessingFailed"),
            ("r6", "Ok"),
        ]
    );
    assert_eq!(reply["records"][0]["data"], b64(b"A"));
    assert_eq!(
        reply["records"][4]["data"], "%%%",
        "a failed record keeps its original data for the error output"
    );
}

#[tokio::test]
async fn a_record_without_an_id_fails_the_invocation() {
    let mut event: Value = serde_json::from_slice(&batch(&[Some("a")])).unwrap();
    event["records"][0]
        .as_object_mut()
        .unwrap()
        .remove("recordId");
    let err = invoke(&app(), serde_json::to_vec(&event).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("recordId"), "{}", err.message());
}

#[tokio::test]
async fn a_delivery_stream_no_route_names_is_an_error_naming_it() {
    let router = FirehoseRouter::new().stream("clicks", shout);
    let demux = App::new("fh").firehose(router).build().unwrap();
    let err = invoke(&demux, batch(&[Some("a")])).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(err.message().contains("`events`"), "{}", err.message());
    assert_eq!(app().manifest().firehose, ["events"]);
}
