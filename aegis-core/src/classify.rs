//! Telling which trigger sent a payload, from its structure alone.
//!
//! [`classify`] makes one pass over the raw bytes. It reads the members of the top-level object,
//! of its `requestContext` and of the first element of its `Records`, and jumps over every
//! other value without decoding it, so a 6 MB body costs little more than a few `memchr`
//! calls. It never looks inside a body or a message: an HTTP request whose body is an S3 event
//! is an HTTP request.
//!
//! It does not fail: a payload that is empty, truncated, not JSON, not an object, or an object
//! no rule recognises is [`Trigger::Unknown`]. [`describe_unknown`] then says which of those it
//! was, for the error the caller sees.
//!
//! ```
//! use aegis_core::{classify, Trigger};
//!
//! let payload = br#"{"Records":[{"eventSource":"aws:sqs","body":"{\"aegis_rpc\":1}"}]}"#;
//! assert_eq!(classify(payload), Trigger::Sqs);
//! assert_eq!(classify(b"{\"Records\":[{\"eventSource\":\"aws:sqs\""), Trigger::Unknown);
//! ```

mod describe;
mod facts;
mod find;
mod scan;

use crate::Trigger;
use facts::{Context, Facts, Record};

pub use describe::describe_unknown;

/// Tells which trigger sent `payload`, by the structure of its top-level JSON object.
///
/// Anything that is not a well-formed JSON object matching one of the known event shapes is
/// [`Trigger::Unknown`]; [`describe_unknown`] explains why. The whole payload is scanned, so
/// truncated input is never mistaken for the event it starts like.
#[must_use]
pub fn classify(payload: &[u8]) -> Trigger {
    match Facts::scan(payload) {
        Ok(facts) => decide(&facts),
        Err(_) => Trigger::Unknown,
    }
}

/// The rules, in an order where each only has to tell apart what the earlier ones let through.
fn decide(f: &Facts<'_>) -> Trigger {
    if f.aegis_rpc {
        return Trigger::Rpc;
    }
    if let Some(records) = &f.records {
        return records.as_ref().map_or(Trigger::Unknown, record_source);
    }

    // Authorizer calls carry a copy of the request they guard (REST REQUEST authorizers even
    // have `httpMethod` and `requestContext`), so they must be caught before the HTTP shapes.
    let kind = f.kind.as_deref();
    let token = kind == Some(b"TOKEN") && (f.authorization_token || f.method_arn);
    let request = kind == Some(b"REQUEST") && (f.method_arn || f.route_arn);
    if token || request {
        return Trigger::ApigwAuthorizer;
    }

    if let Some(trigger) = f.context.as_ref().and_then(|c| http_shape(f, c)) {
        return trigger;
    }
    if f.http_method && f.resource {
        return Trigger::ApigwRest;
    }
    if f.raw_path_snake && f.method {
        return Trigger::VpcLattice;
    }

    if let (Some(source), Some(detail_type)) = (f.source.as_deref(), f.detail_type.as_deref()) {
        if f.detail {
            return eventbridge(source, detail_type);
        }
    }
    if f.trigger_source && f.user_pool_id {
        return Trigger::Cognito;
    }
    // A request without `ResponseURL` is still one, so the router can say what is missing;
    // responses carry `StackId` too but never `RequestType`.
    if f.request_type && (f.response_url || f.stack_id) {
        return Trigger::CloudFormation;
    }
    if f.awslogs {
        return Trigger::CloudWatchLogs;
    }
    if f.invocation_id && f.delivery_stream_arn && f.lower_records {
        return Trigger::Firehose;
    }
    Trigger::Unknown
}

/// A named `eventSource` decides; without one, the member that holds the payload does.
fn record_source(record: &Record<'_>) -> Trigger {
    match record.event_source.as_deref() {
        Some(b"aws:s3") => Trigger::S3,
        Some(b"aws:sns") => Trigger::Sns,
        Some(b"aws:sqs") => Trigger::Sqs,
        Some(b"aws:dynamodb") => Trigger::DynamoDb,
        Some(b"aws:kinesis") => Trigger::Kinesis,
        Some(b"aws:ses") => Trigger::Ses,
        Some(_) => Trigger::Unknown,
        None if record.s3 => Trigger::S3,
        None if record.sns => Trigger::Sns,
        None if record.dynamodb => Trigger::DynamoDb,
        None if record.kinesis => Trigger::Kinesis,
        None if record.ses => Trigger::Ses,
        None => Trigger::Unknown,
    }
}

/// The HTTP-shaped events, told apart by their `requestContext`.
fn http_shape(f: &Facts<'_>, c: &Context<'_>) -> Option<Trigger> {
    let v2 = f.version.as_deref() == Some(b"2.0");

    if c.elb {
        return Some(Trigger::Alb);
    }
    // WebSocket events may also carry `httpMethod` and `resource`, but never `http`.
    if (c.connection_id || c.event_type) && !c.http {
        return Some(Trigger::ApigwWebsocket);
    }
    if v2 && f.method && (c.service_network_arn || c.target_group_arn) && !c.http {
        return Some(Trigger::VpcLattice);
    }
    if c.http || (v2 && f.route_key) {
        // Function URLs send payload 2.0 too; only their domain tells them apart.
        let url = c
            .domain_name
            .as_deref()
            .is_some_and(|domain| memchr::memmem::find(domain, b".lambda-url.").is_some());
        return Some(if url {
            Trigger::FunctionUrl
        } else {
            Trigger::ApigwHttp
        });
    }
    if f.http_method {
        return Some(Trigger::ApigwRest);
    }
    None
}

fn eventbridge(source: &[u8], detail_type: &[u8]) -> Trigger {
    let rule = source == b"aws.events" && detail_type == b"Scheduled Event";
    if rule || source == b"aws.scheduler" {
        Trigger::Schedule
    } else {
        Trigger::EventBridge
    }
}

#[cfg(test)]
mod tests;
