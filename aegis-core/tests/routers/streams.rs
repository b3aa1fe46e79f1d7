use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use aegis_core::aws_lambda_events::dynamodb::EventRecord;
use aegis_core::aws_lambda_events::kinesis::KinesisEventRecord;
use aegis_core::{App, ChangeKind, Ctx, DynamoDbRouter, ErrorKind, EventDemux, KinesisRouter};
use base64::Engine;
use serde_json::{json, Value};

use crate::support::{failed_ids, fixture, invoke};

const TABLE_ARN: &str =
    "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000";
const STREAM_ARN: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks";

/// Which sequence numbers fail, and which were handled, in order.
#[derive(Default)]
pub(crate) struct Probe {
    pub(crate) fail: HashSet<String>,
    pub(crate) seen: Mutex<Vec<String>>,
}

impl Probe {
    pub(crate) fn failing(ids: &[&str]) -> Arc<Self> {
        Arc::new(Self {
            fail: ids.iter().map(|s| (*s).to_owned()).collect(),
            seen: Mutex::default(),
        })
    }

    fn handle(&self, id: String) -> Result<(), String> {
        if self.fail.contains(&id) {
            return Err(format!("refused {id}"));
        }
        self.seen.lock().unwrap().push(id);
        Ok(())
    }

    pub(crate) fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// A DynamoDB stream batch of `orders` with one `(sequence number, event name)` per record.
pub(crate) fn dynamodb_batch(records: &[(&str, &str)]) -> Vec<u8> {
    let template: Value =
        serde_json::from_slice(&fixture("aws_lambda_events/example-dynamodb-event.json")).unwrap();
    let records: Vec<Value> = records
        .iter()
        .map(|(seq, event)| {
            let mut r = template["Records"][0].clone();
            r["eventSourceARN"] = TABLE_ARN.into();
            r["eventName"] = (*event).into();
            r["dynamodb"]["SequenceNumber"] = (*seq).into();
            r
        })
        .collect();
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

/// A Kinesis batch of `clicks` with one `(sequence number, base64 data)` per record.
pub(crate) fn kinesis_batch(records: &[(&str, &str)]) -> Vec<u8> {
    let template: Value =
        serde_json::from_slice(&fixture("aws_lambda_events/example-kinesis-event.json")).unwrap();
    let records: Vec<Value> = records
        .iter()
        .map(|(seq, data)| {
            let mut r = template["Records"][0].clone();
            r["eventSourceARN"] = STREAM_ARN.into();
            r["kinesis"]["sequenceNumber"] = (*seq).into();
            r["kinesis"]["data"] = (*data).into();
            r
        })
        .collect();
    serde_json::to_vec(&json!({ "Records": records })).unwrap()
}

pub(crate) fn dynamodb_app(probe: &Arc<Probe>) -> EventDemux {
    let router = DynamoDbRouter::with_state(Arc::clone(probe)).table(
        "orders",
        |record: EventRecord, ctx: Ctx<Arc<Probe>>| async move {
            ctx.state()
                .handle(record.change.sequence_number.unwrap_or_default())
        },
    );
    App::new("streams").dynamodb(router).build().unwrap()
}

pub(crate) fn kinesis_app(probe: &Arc<Probe>) -> EventDemux {
    let router = KinesisRouter::with_state(Arc::clone(probe)).stream(
        "clicks",
        |record: KinesisEventRecord, ctx: Ctx<Arc<Probe>>| async move {
            ctx.state().handle(record.kinesis.sequence_number)
        },
    );
    App::new("streams").kinesis(router).build().unwrap()
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn the_shipped_dynamodb_fixture_is_routed_by_table_name() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let router = DynamoDbRouter::new().change(
        "Example-Table",
        ChangeKind::Insert,
        move |record: EventRecord, _ctx: Ctx| {
            let log = Arc::clone(&log);
            async move {
                log.lock().unwrap().push(record.event_name);
                Ok::<_, String>(())
            }
        },
    );
    let demux = App::new("t").dynamodb(router).build().unwrap();
    let reply = invoke(
        &demux,
        fixture("aws_lambda_events/example-dynamodb-event.json"),
    )
    .await
    .unwrap();
    assert!(failed_ids(&reply).is_empty());
    assert_eq!(*seen.lock().unwrap(), ["INSERT", "INSERT"]);
}

#[tokio::test]
async fn a_failed_change_is_reported_with_every_later_one_and_later_ones_do_not_run() {
    let probe = Probe::failing(&["2"]);
    let batch = dynamodb_batch(&[("1", "INSERT"), ("2", "MODIFY"), ("3", "REMOVE")]);
    let reply = invoke(&dynamodb_app(&probe), batch).await.unwrap();
    assert_eq!(failed_ids(&reply), ["2", "3"]);
    assert_eq!(probe.seen(), ["1"]);
}

#[tokio::test]
async fn a_change_kind_no_route_takes_fails_the_batch_untouched_naming_table_and_event() {
    let router = DynamoDbRouter::new().change(
        "orders",
        ChangeKind::Insert,
        |_r: EventRecord, _ctx: Ctx| async { Ok::<_, String>(()) },
    );
    let demux = App::new("t").dynamodb(router).build().unwrap();
    let err = invoke(&demux, dynamodb_batch(&[("1", "INSERT"), ("2", "REMOVE")]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("table `orders`"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("event `REMOVE`"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_dynamodb_record_without_a_sequence_number_fails_the_whole_invocation() {
    let probe = Probe::failing(&[]);
    let mut batch: Value = serde_json::from_slice(&dynamodb_batch(&[("1", "INSERT")])).unwrap();
    batch["Records"][0]["dynamodb"]
        .as_object_mut()
        .unwrap()
        .remove("SequenceNumber");
    let err = invoke(&dynamodb_app(&probe), serde_json::to_vec(&batch).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(
        err.message().contains("dynamodb.SequenceNumber"),
        "{}",
        err.message()
    );
    assert!(probe.seen().is_empty());
}

#[tokio::test]
async fn a_malformed_dynamodb_record_fails_itself_and_what_follows() {
    let probe = Probe::failing(&[]);
    let mut batch: Value =
        serde_json::from_slice(&dynamodb_batch(&[("1", "INSERT"), ("2", "INSERT")])).unwrap();
    batch["Records"][0]["dynamodb"]["SizeBytes"] = "big".into();
    let reply = invoke(&dynamodb_app(&probe), serde_json::to_vec(&batch).unwrap())
        .await
        .unwrap();
    assert_eq!(failed_ids(&reply), ["1", "2"]);
}

#[tokio::test]
async fn kinesis_data_reaches_the_handler_decoded() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let router = KinesisRouter::new().stream(
        "arn:aws:kinesis:us-east-1:123456789012:stream/simple-stream",
        move |record: KinesisEventRecord, _ctx: Ctx| {
            let log = Arc::clone(&log);
            async move {
                log.lock()
                    .unwrap()
                    .push(String::from_utf8(record.kinesis.data.0).unwrap());
                Ok::<_, String>(())
            }
        },
    );
    let demux = App::new("t").kinesis(router).build().unwrap();
    let reply = invoke(
        &demux,
        fixture("aws_lambda_events/example-kinesis-event.json"),
    )
    .await
    .unwrap();
    assert!(failed_ids(&reply).is_empty());
    assert_eq!(*seen.lock().unwrap(), ["Hello World", "Hello World"]);
}

#[tokio::test]
async fn a_kinesis_record_with_invalid_base64_fails_from_there_on() {
    let probe = Probe::failing(&[]);
    let batch = kinesis_batch(&[("1", &b64("a")), ("2", "not base64!"), ("3", &b64("c"))]);
    let reply = invoke(&kinesis_app(&probe), batch).await.unwrap();
    assert_eq!(failed_ids(&reply), ["2", "3"]);
    assert_eq!(probe.seen(), ["1"]);
}

#[tokio::test]
async fn a_kinesis_record_without_a_sequence_number_fails_the_whole_invocation() {
    let probe = Probe::failing(&[]);
    let mut batch: Value = serde_json::from_slice(&kinesis_batch(&[("1", &b64("a"))])).unwrap();
    batch["Records"][0]["kinesis"]
        .as_object_mut()
        .unwrap()
        .remove("sequenceNumber");
    let err = invoke(&kinesis_app(&probe), serde_json::to_vec(&batch).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(
        err.message().contains("kinesis.sequenceNumber"),
        "{}",
        err.message()
    );
}

#[tokio::test]
async fn a_kinesis_stream_no_route_names_is_an_error_naming_it() {
    let probe = Probe::failing(&[]);
    let mut batch: Value = serde_json::from_slice(&kinesis_batch(&[("1", &b64("a"))])).unwrap();
    batch["Records"][0]["eventSourceARN"] = "arn:aws:kinesis:us-east-1:1:stream/orders".into();
    let err = invoke(&kinesis_app(&probe), serde_json::to_vec(&batch).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(
        err.message().contains("stream `orders`"),
        "{}",
        err.message()
    );
}

#[test]
fn the_manifest_lists_tables_with_their_changes_and_streams() {
    let probe = Probe::failing(&[]);
    let dynamodb = dynamodb_app(&probe);
    let tables = &dynamodb.manifest().dynamodb;
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].table, "orders");
    assert_eq!(tables[0].events, ["INSERT", "MODIFY", "REMOVE"]);
    assert_eq!(kinesis_app(&probe).manifest().kinesis, ["clicks"]);
}
