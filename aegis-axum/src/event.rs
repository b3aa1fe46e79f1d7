//! Decoding an HTTP event, once, straight into the typed event of its trigger.
//!
//! `lambda_http` guesses an event's kind by trying each of its event types in turn. The demux
//! already knows the trigger, so the payload is parsed exactly once, as the type that trigger
//! sends. The one thing done here that `lambda_http` would do later is the base64 body: its
//! decoder panics on malformed input, so the body is decoded here first and a bad one becomes
//! an error.

use aegis_core::aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayV2httpRequest};
use aegis_core::aws_lambda_events::{alb::AlbTargetGroupRequest, vpc_lattice::VpcLatticeRequestV2};
use aegis_core::{Error, Trigger};
use base64::Engine;
use lambda_http::request::LambdaRequest;
use serde::de::DeserializeOwned;

use crate::error;
use crate::headers::keep_every_value;

/// An HTTP event, decoded and ready for `lambda_http`'s conversion.
pub(crate) struct HttpEvent {
    /// The event, with a base64 body already taken out into [`binary`](Self::binary).
    pub(crate) request: LambdaRequest,
    /// The decoded bytes of a base64-encoded body.
    pub(crate) binary: Option<Vec<u8>>,
    /// The API Gateway stage, when the request names one other than `$default`.
    pub(crate) stage: Option<String>,
    /// The route template the event itself names (REST `resource`, HTTP API `routeKey`), unless
    /// it is a catch-all that says nothing.
    pub(crate) template: Option<String>,
}

/// Decodes `payload` as the HTTP event of `trigger`.
pub(crate) fn decode(trigger: Trigger, payload: &[u8]) -> Result<HttpEvent, Error> {
    match trigger {
        Trigger::ApigwRest => {
            let mut event: ApiGatewayProxyRequest = parse(trigger, payload)?;
            keep_every_value(&mut event.headers, &event.multi_value_headers);
            let binary = take_base64(trigger, &mut event.body, &mut event.is_base64_encoded)?;
            let template = event
                .resource
                .as_deref()
                .filter(|r| !r.contains('+'))
                .map(|r| format!("{} {r}", event.http_method));
            Ok(HttpEvent {
                stage: named_stage(event.request_context.stage.as_deref()),
                template,
                binary,
                request: LambdaRequest::ApiGatewayV1(event),
            })
        }
        Trigger::ApigwHttp | Trigger::FunctionUrl => {
            // Function URLs send the HTTP API's payload 2.0, and lambda_http serves them as such.
            let mut event: ApiGatewayV2httpRequest = parse(trigger, payload)?;
            let binary = take_base64(trigger, &mut event.body, &mut event.is_base64_encoded)?;
            let template = event
                .route_key
                .as_deref()
                .filter(|k| *k != "$default" && !k.contains('+'))
                .map(str::to_owned);
            Ok(HttpEvent {
                stage: named_stage(event.request_context.stage.as_deref()),
                template,
                binary,
                request: LambdaRequest::ApiGatewayV2(event),
            })
        }
        Trigger::Alb => {
            let mut event: AlbTargetGroupRequest = parse(trigger, payload)?;
            keep_every_value(&mut event.headers, &event.multi_value_headers);
            let binary = take_base64(trigger, &mut event.body, &mut event.is_base64_encoded)?;
            Ok(HttpEvent {
                request: LambdaRequest::Alb(event),
                binary,
                stage: None,
                template: None,
            })
        }
        Trigger::VpcLattice => {
            let mut event: VpcLatticeRequestV2 = parse(trigger, payload).map_err(|e| {
                // lambda_http converts only the v2 event structure.
                error::decode(format!(
                    "{e}; only VPC Lattice events of structure version V2 are served, so set \
                     the target group's Lambda event structure version to V2"
                ))
            })?;
            let binary = take_base64(trigger, &mut event.body, &mut event.is_base64_encoded)?;
            Ok(HttpEvent {
                request: LambdaRequest::VpcLatticeV2(event),
                binary,
                stage: None,
                template: None,
            })
        }
        other => Err(error::not_http(other)),
    }
}

fn parse<T: DeserializeOwned>(trigger: Trigger, payload: &[u8]) -> Result<T, Error> {
    aegis_core::decode_event(trigger, payload)
}

/// Takes a base64 body out of the event, decoded, leaving the event without a body.
fn take_base64(
    trigger: Trigger,
    body: &mut Option<String>,
    is_base64_encoded: &mut bool,
) -> Result<Option<Vec<u8>>, Error> {
    if !*is_base64_encoded {
        return Ok(None);
    }
    *is_base64_encoded = false;
    let Some(text) = body.take() else {
        return Ok(None);
    };
    base64::engine::general_purpose::STANDARD
        .decode(text.as_bytes())
        .map(Some)
        .map_err(|e| {
            error::decode(format!(
                "the {trigger} event says its body is base64-encoded, but it is not valid \
                 base64: {e}"
            ))
        })
}

fn named_stage(stage: Option<&str>) -> Option<String> {
    stage
        .filter(|s| !s.is_empty() && *s != "$default")
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_base64_body_is_a_decode_error() {
        let payload =
            br#"{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST"}},
            "body":"not base64!","isBase64Encoded":true}"#;
        let err = decode(Trigger::ApigwHttp, payload).err().unwrap();
        assert!(err.message().contains("not valid base64"), "{err}");
        assert_eq!(err.error_type(), "DecodeError");
    }

    #[test]
    fn a_rest_event_without_a_method_is_a_decode_error() {
        let err = decode(Trigger::ApigwRest, br#"{"path":"/","requestContext":{}}"#)
            .err()
            .unwrap();
        assert!(err.message().contains("httpMethod"), "{err}");
    }

    #[test]
    fn a_catch_all_resource_is_no_template() {
        let payload = br#"{"httpMethod":"GET","path":"/a","resource":"/{proxy+}",
            "requestContext":{"httpMethod":"GET","stage":"prod"}}"#;
        let event = decode(Trigger::ApigwRest, payload).unwrap();
        assert_eq!(event.template, None);
        assert_eq!(event.stage.as_deref(), Some("prod"));
    }
}
