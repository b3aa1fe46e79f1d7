//! The custom resource router against a local HTTP server standing in for the presigned URL.

use std::time::Duration;

use aegis_core::{
    App, Ctx, CustomResourceRequest, CustomResourceResponse, CustomResourceRouter, DeadlineLayer,
    ErrorKind, EventDemux, RequestType,
};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::support::{context_due_in, fixture, invoke};

/// What the stand-in received: the request line, the headers (lowercased) and the body.
struct Received {
    request_line: String,
    headers: Vec<String>,
    body: Value,
}

/// Serves one request on 127.0.0.1, answers `status`, and hands back what it got.
async fn stand_in(status: u16) -> (String, oneshot::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/cfn-response?X-Amz-Signature=abc",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).await.unwrap();
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).await.unwrap();
            let line = line.trim_end().to_ascii_lowercase();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("content-length:") {
                length = n.trim().parse().unwrap();
            }
            headers.push(line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.unwrap();
        let answer =
            format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        reader.get_mut().write_all(answer.as_bytes()).await.unwrap();
        let _ = tx.send(Received {
            request_line: request_line.trim_end().to_owned(),
            headers,
            body: serde_json::from_slice(&body).unwrap(),
        });
    });
    (url, rx)
}

fn request(kind: &str, url: Option<&str>) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(&fixture(
        "aws_lambda_events/example-cloudformation-custom-resource-create-request.json",
    ))
    .unwrap();
    event["RequestType"] = kind.into();
    event["ResourceType"] = "Custom::Thing".into();
    if kind != "Create" {
        event["PhysicalResourceId"] = "thing-1".into();
    }
    match url {
        Some(url) => event["ResponseURL"] = url.into(),
        None => {
            event.as_object_mut().unwrap().remove("ResponseURL");
        }
    }
    serde_json::to_vec(&event).unwrap()
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Props {
    key1: String,
}

async fn thing(
    request: CustomResourceRequest<Props>,
    _ctx: Ctx,
) -> Result<CustomResourceResponse, String> {
    match request.resource_properties.key1.as_str() {
        "fail" => Err("the thing refused".to_owned()),
        "panic" => panic!("thing blew up"),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok(CustomResourceResponse::new())
        }
        _ => Ok(CustomResourceResponse::new()
            .physical_id("thing-1")
            .data("Arn", "arn:thing:1")),
    }
}

fn app() -> EventDemux {
    let router = CustomResourceRouter::new()
        .request(
            "Custom::Thing",
            RequestType::Delete,
            |_r: CustomResourceRequest, _ctx: Ctx| async {
                Ok::<_, String>(CustomResourceResponse::new())
            },
        )
        .resource("Custom::Thing", thing);
    App::new("cfn")
        .custom_resources(router)
        .layer(DeadlineLayer::new(Duration::from_millis(100)))
        .build()
        .unwrap()
}

fn with_key1(payload: &[u8], key1: &str) -> Vec<u8> {
    let mut event: Value = serde_json::from_slice(payload).unwrap();
    event["ResourceProperties"]["Key1"] = key1.into();
    serde_json::to_vec(&event).unwrap()
}

#[tokio::test]
async fn a_successful_create_puts_success_with_the_ids_and_data() {
    let (url, received) = stand_in(200).await;
    let reply = invoke(&app(), request("Create", Some(&url))).await.unwrap();
    let got = received.await.unwrap();

    assert!(
        got.request_line
            .starts_with("PUT /cfn-response?X-Amz-Signature=abc "),
        "{}",
        got.request_line
    );
    assert!(
        !got.headers.iter().any(|h| h.starts_with("content-type")),
        "{:?}",
        got.headers
    );
    assert_eq!(
        got.body,
        json!({
            "Status": "SUCCESS",
            "PhysicalResourceId": "thing-1",
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/stack-name/16580499-7622-4a9c-b32f-4eba35da93da",
            "RequestId": "82304eb2-bdda-469f-a33b-a3f1406d0a52",
            "LogicalResourceId": "CustomResource",
            "NoEcho": false,
            "Data": {"Arn": "arn:thing:1"}
        })
    );
    assert_eq!(reply.decode::<Value>().unwrap(), got.body);
}

#[tokio::test]
async fn a_handler_error_puts_failed_with_the_reason_and_the_old_physical_id() {
    let (url, received) = stand_in(200).await;
    invoke(&app(), with_key1(&request("Update", Some(&url)), "fail"))
        .await
        .unwrap();
    let body = received.await.unwrap().body;
    assert_eq!(body["Status"], "FAILED");
    assert_eq!(body["PhysicalResourceId"], "thing-1");
    assert!(
        body["Reason"]
            .as_str()
            .unwrap()
            .contains("the thing refused"),
        "{body}"
    );
}

#[tokio::test]
async fn a_panicking_handler_still_puts_failed() {
    let (url, received) = stand_in(200).await;
    invoke(&app(), with_key1(&request("Create", Some(&url)), "panic"))
        .await
        .unwrap();
    let body = received.await.unwrap().body;
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"].as_str().unwrap().contains("thing blew up"),
        "{body}"
    );
    assert!(!body["PhysicalResourceId"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn a_handler_still_running_near_the_deadline_is_stopped_and_failed_in_time() {
    let (url, received) = stand_in(200).await;
    let started = std::time::Instant::now();
    let payload = with_key1(&request("Create", Some(&url)), "slow");
    app().invoke(payload, context_due_in(1_500)).await.unwrap();
    let body = received.await.unwrap().body;
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"].as_str().unwrap().contains("deadline"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_millis(1_400));
}

#[tokio::test]
async fn properties_that_do_not_decode_put_failed_naming_the_field() {
    let (url, received) = stand_in(200).await;
    let mut event: Value = serde_json::from_slice(&request("Create", Some(&url))).unwrap();
    event["ResourceProperties"] = json!({"Key1": 5});
    invoke(&app(), serde_json::to_vec(&event).unwrap())
        .await
        .unwrap();
    let body = received.await.unwrap().body;
    assert_eq!(body["Status"], "FAILED");
    assert!(body["Reason"].as_str().unwrap().contains("Key1"), "{body}");
}

#[tokio::test]
async fn a_resource_type_no_route_takes_puts_failed_naming_it() {
    let (url, received) = stand_in(200).await;
    let mut event: Value = serde_json::from_slice(&request("Create", Some(&url))).unwrap();
    event["ResourceType"] = "Custom::Other".into();
    invoke(&app(), serde_json::to_vec(&event).unwrap())
        .await
        .unwrap();
    let body = received.await.unwrap().body;
    assert_eq!(body["Status"], "FAILED");
    assert!(
        body["Reason"].as_str().unwrap().contains("Custom::Other"),
        "{body}"
    );
}

#[tokio::test]
async fn a_delete_goes_to_its_own_route() {
    let (url, received) = stand_in(200).await;
    invoke(&app(), with_key1(&request("Delete", Some(&url)), "fail"))
        .await
        .unwrap();
    let body = received.await.unwrap().body;
    assert_eq!(
        body["Status"], "SUCCESS",
        "the Delete route ignores Key1: {body}"
    );
    assert_eq!(body["PhysicalResourceId"], "thing-1");
}

#[tokio::test]
async fn a_request_without_a_response_url_is_a_clear_lambda_error() {
    let err = invoke(&app(), request("Create", None)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.error_type(), "MissingResponseUrl");
    assert!(err.message().contains("82304eb2"), "{}", err.message());
}

#[tokio::test]
async fn a_refused_put_fails_the_invocation_so_lambda_retries_it() {
    let (url, _received) = stand_in(403).await;
    let err = invoke(&app(), request("Create", Some(&url)))
        .await
        .unwrap_err();
    assert_eq!(err.error_type(), "ResponseNotDelivered");
    assert!(err.message().contains("403"), "{}", err.message());
}

#[test]
fn the_manifest_lists_custom_resource_types_and_their_requests() {
    let demux = app();
    let declared = &demux.manifest().custom_resources;
    assert_eq!(declared[0].resource_type, "Custom::Thing");
    assert_eq!(declared[0].request_types, ["Delete"]);
    assert_eq!(declared[1].request_types, ["Create", "Update", "Delete"]);
}
