use std::collections::BTreeMap;

use aws_sdk_lambda::error::SdkError;
use serde_json::{json, Value};

use super::*;
use crate::{App, Ctx, Error, ErrorKind, RpcRouter};

const XRAY: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8";

/// A client that is never asked to send: building requests needs no HTTP client.
fn client() -> RpcClient {
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
        .region(aws_sdk_lambda::config::Region::new("eu-west-1"))
        .build();
    RpcClient::new(aws_sdk_lambda::Client::from_conf(config), "pricing")
}

fn target() -> Target {
    Target {
        function: Arc::from("pricing"),
        method: Arc::from("quote"),
    }
}

fn answer(function_error: Option<&str>, body: Option<&str>) -> InvokeOutput {
    let mut out = InvokeOutput::builder().status_code(200);
    if let Some(marker) = function_error {
        out = out.function_error(marker);
    }
    if let Some(body) = body {
        out = out.payload(Blob::new(body.as_bytes()));
    }
    out.build()
}

fn envelope(client: &RpcClient, trace: TraceContext, args: &Value) -> Value {
    let bytes = client.envelope(trace, "quote", args).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn an_envelope_carries_the_method_its_arguments_and_the_trace_context() {
    let trace = TraceContext::new()
        .with(XRAY_TRACE_HEADER, XRAY)
        .with_traceparent("00-ab-cd-01");
    assert_eq!(
        envelope(&client(), trace, &json!({"sku": "tea", "count": 2})),
        json!({
            "aegis_rpc": 1,
            "method": "quote",
            "args": {"sku": "tea", "count": 2},
            "context": {"X-Amzn-Trace-Id": XRAY, "traceparent": "00-ab-cd-01"},
        })
    );
}

#[test]
fn an_envelope_without_trace_context_leaves_the_context_out() {
    let sent = envelope(&client(), TraceContext::new(), &Value::Null);
    assert_eq!(
        sent,
        json!({"aegis_rpc": 1, "method": "quote", "args": null})
    );
}

#[test]
fn the_context_injector_runs_last_and_may_replace_a_header() {
    let client = client().with_context_injector(|context: &mut BTreeMap<String, String>| {
        context.insert(TRACEPARENT_HEADER.to_owned(), "00-injected-01".to_owned());
    });
    let sent = envelope(
        &client,
        TraceContext::new().with_traceparent("00-old-01"),
        &json!(1),
    );
    assert_eq!(sent["context"], json!({"traceparent": "00-injected-01"}));
}

#[test]
fn a_clients_debug_names_its_function_and_its_injector() {
    fn inject(_: &mut BTreeMap<String, String>) {}
    let shown = format!("{:?}", client().with_context_injector(inject));
    assert!(shown.contains("\"pricing\""), "{shown}");
    assert!(shown.contains("inject"), "{shown}");
}

#[tokio::test]
async fn an_envelope_as_built_reaches_an_rpc_handler_with_its_context() {
    let rpc = RpcRouter::new().method("quote", |args: Value, ctx: Ctx| async move {
        Ok::<_, Error>(json!({"args": args, "context": ctx.rpc_context()}))
    });
    let demux = App::new("pricing").rpc(rpc).build().unwrap();
    let payload = client()
        .envelope(
            TraceContext::new().with_traceparent("00-ab-cd-01"),
            "quote",
            &json!([1]),
        )
        .unwrap();

    let reply = demux.invoke(payload, Default::default()).await.unwrap();
    let reply: Value = serde_json::from_str(reply.as_str()).unwrap();
    assert_eq!(
        reply,
        json!({"args": [1], "context": {"traceparent": "00-ab-cd-01"}})
    );
}

#[tokio::test]
async fn arguments_that_do_not_encode_fail_before_anything_is_sent() {
    let args = BTreeMap::from([((1, 2), "a tuple is no JSON object key")]);
    // Spawned, which also shows that the call's future borrows neither `args` nor the client.
    let call = tokio::spawn(client().call::<_, ()>("quote", &args));
    drop(args);
    let err = call.await.unwrap().unwrap_err();
    assert!(matches!(err, RpcError::Encode { .. }), "{err:?}");
    assert!(err
        .to_string()
        .starts_with("the arguments of `quote` for function `pricing` do not encode as JSON"));
}

#[test]
fn a_function_error_is_a_remote_error_with_its_type_and_message() {
    let body = r#"{"errorType":"OutOfStock","errorMessage":"no tea left"}"#;
    let err = target()
        .result::<Value>(&answer(Some("Unhandled"), Some(body)))
        .unwrap_err();
    assert_eq!(err.remote_error_type(), Some("OutOfStock"));
    assert_eq!(
        err.to_string(),
        "`quote` on function `pricing` failed with OutOfStock: no tea left"
    );
}

#[test]
fn a_function_error_without_a_type_is_named_by_its_marker() {
    let body = r#"{"errorMessage":"Task timed out after 3.00 seconds"}"#;
    let err = target()
        .result::<Value>(&answer(Some("Unhandled"), Some(body)))
        .unwrap_err();
    let RpcError::Remote {
        error_type,
        message,
        ..
    } = err
    else {
        panic!("not a remote error: {err:?}");
    };
    assert_eq!(
        (error_type.as_str(), message.as_str()),
        ("Unhandled", "Task timed out after 3.00 seconds")
    );
}

#[test]
fn a_function_error_whose_body_is_not_an_object_keeps_the_body_as_its_message() {
    let err = target()
        .result::<Value>(&answer(Some("Handled"), Some("out of memory")))
        .unwrap_err();
    assert!(matches!(
        err,
        RpcError::Remote { ref error_type, ref message, .. }
            if error_type == "Handled" && message == "out of memory"
    ));
}

#[test]
fn a_result_that_does_not_fit_is_a_decode_error_naming_the_field() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Quote {
        total: u64,
    }
    let err = target()
        .result::<Quote>(&answer(None, Some(r#"{"total":"12"}"#)))
        .unwrap_err();
    assert!(matches!(err, RpcError::Decode { ref path, .. } if path == "total"));
    assert!(err
        .to_string()
        .starts_with("the result of `quote` on function `pricing` does not decode: invalid type"));
    assert!(err.to_string().ends_with("(at `total`)"), "{err}");
}

#[test]
fn a_result_with_trailing_bytes_is_a_decode_error() {
    let err = target()
        .result::<u64>(&answer(None, Some("12 13")))
        .unwrap_err();
    assert!(matches!(err, RpcError::Decode { ref path, .. } if path == "."));
}

#[test]
fn an_answer_without_a_payload_is_null() {
    target().result::<()>(&answer(None, None)).unwrap();
    assert_eq!(
        target().result::<Option<u8>>(&answer(None, None)).unwrap(),
        None
    );
}

#[test]
fn a_remote_error_becomes_an_aegis_error_with_the_remote_type_and_message() {
    let rpc = target().remote(
        "Unhandled",
        br#"{"errorType":"OutOfStock","errorMessage":"no tea"}"#,
    );
    let err = Error::from(rpc);
    assert_eq!(
        (err.kind(), err.error_type(), err.message()),
        (ErrorKind::Handler, "OutOfStock", "no tea")
    );
    let source = std::error::Error::source(&err).unwrap();
    assert!(source.to_string().contains("`quote` on function `pricing`"));
}

#[test]
fn a_transport_error_becomes_an_aegis_error_of_this_function() {
    let rpc = RpcError::Transport {
        function: "pricing".to_owned(),
        method: "quote".to_owned(),
        source: Box::new(SdkError::timeout_error("no answer in 3s")),
    };
    assert_eq!((rpc.function(), rpc.method()), ("pricing", "quote"));
    let err = Error::from(rpc);
    assert_eq!(
        (err.kind(), err.error_type()),
        (ErrorKind::Other, "RpcTransportError")
    );
    assert!(err
        .message()
        .starts_with("calling `quote` on function `pricing` failed before it answered"));
}
