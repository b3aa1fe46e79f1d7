//! Per-source facts read from the payload: the source's own correlation id and, for tracing,
//! the trace headers it carries. (A batch's size and failures are not read here: the routers
//! record them on the invocation, see [`aegis_core::Recorded`].)
//!
//! Routers decode each event once into its typed form; these readers do not. They deserialize
//! only the few fields they need, with every other value skipped unparsed, and only for the
//! triggers that have such a field, so an RPC call or a schedule costs nothing here. Payloads
//! larger than [`READ_LIMIT`] are not read at all: HTTP bodies can be megabytes, and a
//! correlation id is not worth a second pass over them.

use aegis_core::Trigger;
use serde::de::IgnoredAny;
use serde::Deserialize;

/// The largest payload the readers look into.
pub(crate) const READ_LIMIT: usize = 256 * 1024;

#[derive(Deserialize)]
struct RequestContext {
    #[serde(rename = "requestContext")]
    request_context: Option<RequestIds>,
}

#[derive(Deserialize)]
struct RequestIds {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct EventId {
    id: Option<String>,
}

#[derive(Deserialize)]
struct CloudFormationId {
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct FirstRecord<R> {
    #[serde(rename = "Records")]
    records: FirstOnly<R>,
}

/// The first element of an array, with the rest skipped.
struct FirstOnly<R>(Option<R>);

impl<'de, R: Deserialize<'de>> Deserialize<'de> for FirstOnly<R> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<R>(std::marker::PhantomData<R>);

        impl<'de, R: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<R> {
            type Value = FirstOnly<R>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of records")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                let first = seq.next_element::<R>()?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstOnly(first))
            }
        }

        deserializer.deserialize_seq(Visitor(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct SnsRecord {
    #[serde(rename = "Sns")]
    sns: Option<SnsIds>,
}

#[derive(Deserialize)]
struct SnsIds {
    #[serde(rename = "MessageId")]
    message_id: Option<String>,
}

#[derive(Deserialize)]
struct S3Record {
    #[serde(rename = "responseElements")]
    response_elements: Option<S3Response>,
}

#[derive(Deserialize)]
struct S3Response {
    #[serde(rename = "x-amz-request-id")]
    request_id: Option<String>,
}

#[cfg(feature = "opentelemetry")]
#[derive(Deserialize)]
struct TracedRecords {
    #[serde(rename = "Records", default)]
    records: Vec<TracedRecord>,
}

#[cfg(feature = "opentelemetry")]
#[derive(Deserialize)]
struct TracedRecord {
    attributes: Option<TraceAttributes>,
}

#[cfg(feature = "opentelemetry")]
#[derive(Deserialize)]
struct TraceAttributes {
    #[serde(rename = "AWSTraceHeader")]
    trace_header: Option<String>,
}

/// The X-Ray trace headers of the messages of an SQS batch, those that have one.
#[cfg(feature = "opentelemetry")]
pub(crate) fn sqs_trace_headers(payload: &[u8]) -> Vec<String> {
    if payload.len() > READ_LIMIT {
        return Vec::new();
    }
    serde_json::from_slice::<TracedRecords>(payload)
        .map(|batch| {
            batch
                .records
                .into_iter()
                .filter_map(|r| r.attributes?.trace_header)
                .collect()
        })
        .unwrap_or_default()
}

/// The X-Ray trace header an aegis RPC envelope carries in its `context`, set by the calling
/// function's `RpcClient`: the caller's trace, which the called function's spans join.
#[cfg(feature = "opentelemetry")]
pub(crate) fn rpc_trace_header(payload: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(default)]
        context: std::collections::BTreeMap<String, String>,
    }
    if payload.len() > READ_LIMIT {
        return None;
    }
    let envelope: Envelope = serde_json::from_slice(payload).ok()?;
    envelope
        .context
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(crate::XRAY_PROPAGATION_HEADER))
        .map(|(_, value)| value)
}

/// The id the event's source gave this event, where it has one: API Gateway's request id,
/// EventBridge's event id, SNS's message id, S3's request id, CloudFormation's request id.
///
/// SQS batches have one id per message; the record spans carry it as `item_id`.
pub(crate) fn correlation_id(trigger: Trigger, payload: &[u8]) -> Option<String> {
    if payload.len() > READ_LIMIT {
        return None;
    }
    match trigger {
        Trigger::ApigwRest
        | Trigger::ApigwHttp
        | Trigger::ApigwWebsocket
        | Trigger::ApigwAuthorizer
        | Trigger::FunctionUrl => {
            serde_json::from_slice::<RequestContext>(payload)
                .ok()?
                .request_context?
                .request_id
        }
        Trigger::EventBridge | Trigger::Schedule => {
            serde_json::from_slice::<EventId>(payload).ok()?.id
        }
        Trigger::CloudFormation => {
            serde_json::from_slice::<CloudFormationId>(payload)
                .ok()?
                .request_id
        }
        Trigger::Sns => {
            serde_json::from_slice::<FirstRecord<SnsRecord>>(payload)
                .ok()?
                .records
                .0?
                .sns?
                .message_id
        }
        Trigger::S3 => {
            serde_json::from_slice::<FirstRecord<S3Record>>(payload)
                .ok()?
                .records
                .0?
                .response_elements?
                .request_id
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_http_api_event_is_correlated_by_its_request_id() {
        let event = br#"{"version":"2.0","body":"{\"requestId\":\"no\"}","requestContext":{"requestId":"JKJaXmPLvHcESHA="}}"#;
        assert_eq!(
            correlation_id(Trigger::ApigwHttp, event).as_deref(),
            Some("JKJaXmPLvHcESHA=")
        );
    }

    #[test]
    fn an_eventbridge_event_is_correlated_by_its_id() {
        let event = br#"{"id":"53dc4d37","detail-type":"Order Placed","detail":{"id":"inner"}}"#;
        assert_eq!(
            correlation_id(Trigger::EventBridge, event).as_deref(),
            Some("53dc4d37")
        );
    }

    #[test]
    fn an_sns_notification_is_correlated_by_its_first_message_id() {
        let event = br#"{"Records":[{"Sns":{"MessageId":"m-1"}},{"Sns":{"MessageId":"m-2"}}]}"#;
        assert_eq!(correlation_id(Trigger::Sns, event).as_deref(), Some("m-1"));
    }

    #[test]
    fn rpc_calls_are_not_read() {
        assert_eq!(correlation_id(Trigger::Rpc, br#"{"id":"x"}"#), None);
    }
}
