//! The metrics documents, checked against the Embedded Metric Format specification rather than
//! against earlier output.

#![allow(clippy::unwrap_used)]

mod support;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, EventDemux, RpcRouter, SqsRouter};
use aegis_tests::emf_problems;
use aegis_tracing::metrics::{self, Unit};
use aegis_tracing::MetricsLayer;
use serde_json::Value;
use support::{context, Capture, RPC_GET_ORDER, RPC_UNKNOWN_METHOD, SQS_BATCH};

fn documents(capture: &Capture) -> Vec<Value> {
    let docs = capture.json_lines();
    for doc in &docs {
        let found = emf_problems(doc);
        assert!(found.is_empty(), "{found:?} in {doc}");
    }
    docs
}

fn app(capture: &Capture) -> EventDemux {
    let rpc = RpcRouter::new()
        .method("orders.get", |_: Value, _ctx: Ctx| async {
            metrics::count("OrdersRead", 1);
            metrics::count("OrdersRead", 2);
            metrics::record("OrderBytes", 512.0, Unit::Bytes);
            metrics::dimension("tenant", "acme");
            Ok::<_, std::convert::Infallible>(())
        })
        .method("many", |n: usize, _ctx: Ctx| async move {
            for i in 0..n {
                metrics::count(format!("Metric{i}"), 1);
            }
            Ok::<_, std::convert::Infallible>(())
        })
        .method("values", |n: usize, _ctx: Ctx| async move {
            for i in 0..n {
                #[allow(clippy::cast_precision_loss)]
                metrics::record("Latency", i as f64, Unit::Milliseconds);
            }
            Ok::<_, std::convert::Infallible>(())
        })
        .method("dimensions", |n: usize, _ctx: Ctx| async move {
            for i in 0..n {
                metrics::dimension(format!("d{i}"), "v");
            }
            metrics::count("Dimensioned", 1);
            Ok::<_, std::convert::Infallible>(())
        });
    let sqs = SqsRouter::new().queue("orders", |m: SqsMessage, _ctx: Ctx| async move {
        if m.body.as_deref() == Some("bad") {
            Err("refused".to_owned())
        } else {
            Ok(())
        }
    });
    App::new("shop")
        .rpc(rpc)
        .sqs(sqs)
        .layer(
            MetricsLayer::new("shop")
                .namespace("Shop")
                .writer_with(capture.clone()),
        )
        .build()
        .unwrap()
}

async fn invoke(payload: impl Into<bytes::Bytes>) -> Vec<Value> {
    let capture = Capture::default();
    let _ = app(&capture).invoke(payload, context("req-1")).await;
    documents(&capture)
}

fn rpc(method: &str, args: usize) -> Vec<u8> {
    format!(r#"{{"aegis_rpc":1,"method":"{method}","args":{args}}}"#).into_bytes()
}

#[tokio::test]
async fn an_invocation_writes_one_document_with_its_metrics_and_dimensions() {
    let docs = invoke(RPC_GET_ORDER).await;
    assert_eq!(docs.len(), 1);
    let doc = &docs[0];
    assert_eq!(doc["service"], "shop");
    assert_eq!(doc["trigger"], "rpc");
    assert_eq!(doc["route"], "orders.get");
    assert_eq!(doc["request_id"], "req-1");
    assert_eq!(doc["Invocations"], 1);
    assert_eq!(doc["Errors"], 0);
    assert!(doc["Duration"].is_number());
    assert!(doc["ColdStart"] == 0 || doc["ColdStart"] == 1);

    let directives = doc["_aws"]["CloudWatchMetrics"].as_array().unwrap();
    assert_eq!(directives[0]["Namespace"], "Shop");
    assert_eq!(
        directives[0]["Dimensions"],
        serde_json::json!([["service", "trigger", "route"]])
    );

    assert_eq!(doc["OrdersRead"], 3, "counts of one name add up");
    assert_eq!(doc["OrderBytes"], 512);
    assert_eq!(doc["tenant"], "acme");
    assert_eq!(
        directives[1]["Dimensions"],
        serde_json::json!([["service", "trigger", "route", "tenant"]])
    );
}

#[tokio::test]
async fn an_invocation_without_a_route_reports_under_service_and_trigger() {
    let docs = invoke(RPC_UNKNOWN_METHOD).await;
    let doc = &docs[0];
    assert_eq!(doc["Errors"], 1);
    assert!(doc.get("route").is_none());
    assert_eq!(
        doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([["service", "trigger"]])
    );
}

#[tokio::test]
async fn a_batch_reports_its_records_and_failed_records() {
    let docs = invoke(SQS_BATCH).await;
    let doc = &docs[0];
    assert_eq!(doc["trigger"], "sqs");
    assert_eq!(doc["route"], "orders");
    assert_eq!(doc["Records"], 2);
    assert_eq!(doc["FailedRecords"], 1);
    assert_eq!(doc["Errors"], 0);
}

#[tokio::test]
async fn a_stream_batch_reports_the_counts_its_router_recorded() {
    use aegis_core::aws_lambda_events::kinesis::KinesisEventRecord;
    use aegis_core::KinesisRouter;

    const SECOND: &str = "49568167373333333334444444444444444444444444444444444444";
    let kinesis = KinesisRouter::new().stream(
        "simple-stream",
        |r: KinesisEventRecord, _: Ctx| async move {
            if r.kinesis.sequence_number == SECOND {
                Err("refused".to_owned())
            } else {
                Ok(())
            }
        },
    );
    let capture = Capture::default();
    let demux = App::new("shop")
        .kinesis(kinesis)
        .layer(MetricsLayer::new("shop").writer_with(capture.clone()))
        .build()
        .unwrap();
    let event =
        include_str!("../../aegis-core/tests/data/aws_lambda_events/example-kinesis-event.json");
    let reply = demux.invoke(event, context("req-k")).await.unwrap();
    assert!(reply.as_str().contains(SECOND), "{}", reply.as_str());

    let docs = documents(&capture);
    assert_eq!(docs[0]["trigger"], "kinesis");
    assert_eq!(docs[0]["Records"], 2);
    assert_eq!(docs[0]["FailedRecords"], 1);
}

#[tokio::test]
async fn more_than_a_hundred_metrics_are_split_across_documents() {
    let docs = invoke(rpc("many", 250)).await;
    assert_eq!(docs.len(), 3, "254 metrics, 100 a document");
    let total: usize = docs
        .iter()
        .flat_map(|d| d["_aws"]["CloudWatchMetrics"].as_array().unwrap())
        .map(|d| d["Metrics"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 254);
}

#[tokio::test]
async fn more_than_a_hundred_values_of_one_metric_are_split_across_documents() {
    let docs = invoke(rpc("values", 250)).await;
    let chunks: Vec<usize> = docs
        .iter()
        .filter_map(|d| d.get("Latency"))
        .map(|v| v.as_array().unwrap().len())
        .collect();
    assert_eq!(chunks, [100, 100, 50]);
}

#[tokio::test]
async fn a_dimension_set_never_passes_thirty_dimensions() {
    let docs = invoke(rpc("dimensions", 40)).await;
    let sets = &docs[0]["_aws"]["CloudWatchMetrics"][1]["Dimensions"][0];
    assert_eq!(sets.as_array().unwrap().len(), 30);
}

#[tokio::test]
#[ignore = "prints a sample document for the README"]
async fn print_a_sample_document() {
    let capture = Capture::default();
    app(&capture)
        .invoke(SQS_BATCH, context("8476a536-e9f4-11e8-9739-2dfe598c3fcd"))
        .await
        .unwrap();
    std::io::Write::write_all(&mut std::io::stderr(), capture.text().as_bytes()).unwrap();
}
