//! The local server's Lambda Invoke API, called with the real `aws-sdk-lambda` client pointed at
//! it, as a user would with `AWS_ENDPOINT_URL_LAMBDA`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::{Arc, Mutex};

use aegis_axum::LocalServer;
use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, Error, RpcRouter, S3Filter, S3Record, S3Router, SqsRouter};
use aws_config::{BehaviorVersion, Region};
use aws_sdk_lambda::primitives::Blob;
use serde_json::{json, Value};

type Seen = Arc<Mutex<Vec<String>>>;

fn app(seen: &Seen) -> aegis_core::EventDemux {
    let s3 = S3Router::with_state(Arc::clone(seen)).route(
        S3Filter::created(),
        |r: S3Record, ctx: Ctx<Seen>| async move {
            ctx.state().lock().unwrap().push(r.key);
            Ok::<_, Error>(())
        },
    );
    let sqs = SqsRouter::new().queue("jobs", |m: SqsMessage, _ctx: Ctx| async move {
        match m.body.as_deref() {
            Some("bad") => Err(Error::new("BadJob", "refused")),
            _ => Ok(()),
        }
    });
    let rpc = RpcRouter::new()
        .method("double", |n: i64, _ctx: Ctx| async move {
            Ok::<_, Error>(n * 2)
        })
        .method("refuse", |(): (), _ctx: Ctx| async move {
            Err::<(), _>(Error::new("Refused", "this method always refuses"))
        });
    App::new("sdk").s3(s3).sqs(sqs).rpc(rpc).build().unwrap()
}

/// Starts the local server on a free port and returns a Lambda client aimed at it.
async fn serve(
    demux: aegis_core::EventDemux,
) -> (aws_sdk_lambda::Client, tokio::sync::oneshot::Sender<()>) {
    let server = LocalServer::new(demux)
        .addr("127.0.0.1:0".parse().unwrap())
        .bind()
        .await
        .unwrap();
    let endpoint = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_with_shutdown(async move {
        let _ = stopped.await;
    }));

    let http = aws_smithy_http_client::Builder::new().build_http();
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    (aws_sdk_lambda::Client::new(&config), stop)
}

async fn invoke(client: &aws_sdk_lambda::Client, payload: &Value) -> (Option<String>, Value) {
    let out = client
        .invoke()
        .function_name("sdk")
        .payload(Blob::new(serde_json::to_vec(payload).unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 200);
    let body = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    (out.function_error().map(str::to_owned), body)
}

fn fixture(path: &str) -> Value {
    let full = format!(
        "{}/../aegis-core/tests/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(full).unwrap()).unwrap()
}

fn jobs(bodies: &[(&str, &str)]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .map(|(id, body)| {
            json!({"messageId": id, "body": body, "eventSource": "aws:sqs",
                   "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:jobs"})
        })
        .collect();
    json!({ "Records": records })
}

#[tokio::test]
async fn an_s3_event_sent_with_the_sdk_reaches_its_handler() {
    let seen = Seen::default();
    let (client, _stop) = serve(app(&seen)).await;
    let (error, body) = invoke(&client, &fixture("aws_lambda_events/example-s3-event.json")).await;
    assert_eq!((error, body), (None, Value::Null));
    assert_eq!(*seen.lock().unwrap(), ["Happy Face.jpg"]);
}

#[tokio::test]
async fn an_sqs_batch_sent_with_the_sdk_reports_its_failed_record() {
    let (client, _stop) = serve(app(&Seen::default())).await;
    let (error, body) = invoke(&client, &jobs(&[("1", "ok"), ("2", "bad")])).await;
    assert_eq!(error, None);
    assert_eq!(
        body,
        json!({"batchItemFailures": [{"itemIdentifier": "2"}]})
    );
}

#[tokio::test]
async fn an_rpc_call_sent_with_the_sdk_gets_its_result() {
    let (client, _stop) = serve(app(&Seen::default())).await;
    let (error, body) = invoke(
        &client,
        &json!({"aegis_rpc": 1, "method": "double", "args": 21}),
    )
    .await;
    assert_eq!((error, body), (None, json!(42)));
}

#[tokio::test]
async fn a_handler_error_surfaces_as_the_sdks_function_error() {
    let (client, _stop) = serve(app(&Seen::default())).await;
    let (error, body) = invoke(&client, &json!({"aegis_rpc": 1, "method": "refuse"})).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(
        body,
        json!({"errorType": "Refused", "errorMessage": "this method always refuses"})
    );
}

#[tokio::test]
async fn an_event_invocation_is_accepted_without_waiting_for_the_handler() {
    let (client, _stop) = serve(app(&Seen::default())).await;
    let out = client
        .invoke()
        .function_name("sdk")
        .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
        .payload(Blob::new(
            br#"{"aegis_rpc":1,"method":"double","args":1}"#.to_vec(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status_code(), 202);
}
