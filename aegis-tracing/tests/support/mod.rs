//! What the end-to-end tests share: a writer that captures what would go to stdout, and the
//! events the tests invoke the app with.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;

/// Everything written through it, kept for the test to read.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8(bytes.clone()).unwrap()
    }

    /// Every line, parsed as JSON; a line that is not JSON fails the test.
    pub fn json_lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
            })
            .collect()
    }

    /// The lines whose `message` is `message`.
    pub fn with_message(&self, message: &str) -> Vec<Value> {
        self.json_lines()
            .into_iter()
            .filter(|l| l["message"] == message)
            .collect()
    }
}

pub struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;

    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter(Arc::clone(&self.0))
    }
}

/// A Lambda context as the runtime would build it, with a request id and an X-Ray header.
pub fn context(request_id: &str) -> aegis_core::lambda_runtime::Context {
    let mut context = aegis_core::lambda_runtime::Context::default();
    context.request_id = request_id.to_owned();
    context.xray_trace_id = Some(
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".to_owned(),
    );
    context.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:shop".to_owned();
    context
}

pub const RPC_GET_ORDER: &[u8] = br#"{"aegis_rpc":1,"method":"orders.get","args":{"id":42}}"#;

pub const RPC_UNKNOWN_METHOD: &[u8] = br#"{"aegis_rpc":1,"method":"orders.delete","args":{}}"#;

/// Two messages of the `orders` queue; the second has a body the handler refuses.
pub const SQS_BATCH: &[u8] = br#"{"Records":[
  {"messageId":"m-1","receiptHandle":"r1","body":"ok","attributes":{"AWSTraceHeader":"Root=1-5759e988-bd862e3fe1be46a994272794;Parent=1111111111111111;Sampled=1"},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders","awsRegion":"eu-west-1"},
  {"messageId":"m-2","receiptHandle":"r2","body":"bad","attributes":{"AWSTraceHeader":"Root=1-5759e988-bd862e3fe1be46a994272795;Parent=2222222222222222;Sampled=1"},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:123456789012:orders","awsRegion":"eu-west-1"}
]}"#;

/// An HTTP API (payload 2.0) request carrying credentials in a header and a cookie.
pub const HTTP_API_WITH_SECRETS: &[u8] = include_bytes!("../data/http-api-with-secrets.json");
