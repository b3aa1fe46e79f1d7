//! Typed decoding of a payload, once, with a diagnostic that names the failing field.

use serde::de::DeserializeOwned;

use crate::{Error, Trigger};

/// Decodes `payload` into the typed event of `trigger`, with an [`ErrorKind::Decode`]
/// error naming the failing field's path when it does not fit.
///
/// The routers decode with it; crates that serve a trigger of their own can too.
///
/// ```
/// use aegis_core::{decode_event, ErrorKind, Trigger};
/// use aegis_core::aws_lambda_events::sqs::SqsEvent;
///
/// let err = decode_event::<SqsEvent>(Trigger::Sqs, br#"{"Records":[{"messageId":7}]}"#)
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Decode);
/// assert!(err.message().contains("Records[0].messageId"));
/// ```
///
/// [`ErrorKind::Decode`]: crate::ErrorKind::Decode
///
/// The fast path is a plain `serde_json` parse. Only when it fails is the payload parsed a
/// second time, with path tracking, so the error can say which field was wrong; a good event
/// pays nothing for that.
pub fn event<T: DeserializeOwned>(trigger: Trigger, payload: &[u8]) -> Result<T, Error> {
    match serde_json::from_slice(payload) {
        Ok(event) => Ok(event),
        Err(plain) => Err(Error::decode(trigger, &explain::<T>(payload, &plain))),
    }
}

/// Decodes a part of an event (an SQS body, RPC arguments) into `T`, naming the part on failure.
pub(crate) fn part<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, String> {
    match serde_json::from_str(json) {
        Ok(value) => Ok(value),
        Err(plain) => Err(format!("{what}: {}", explain::<T>(json.as_bytes(), &plain))),
    }
}

fn explain<T: DeserializeOwned>(payload: &[u8], plain: &serde_json::Error) -> String {
    let mut de = serde_json::Deserializer::from_slice(payload);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(traced) if traced.path().to_string() != "." => {
            format!("{} (at `{}`)", traced.inner(), traced.path())
        }
        _ => plain.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        size: u32,
    }

    #[test]
    fn a_wrongly_typed_field_is_named_by_its_path() {
        let err = event::<Outer>(Trigger::S3, br#"{"items":[{"size":1},{"size":"big"}]}"#)
            .expect_err("a string is not a u32");
        assert!(err.message().contains("items[1].size"), "{}", err.message());
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = event::<Outer>(Trigger::S3, br#"{"items":[{}]}"#).expect_err("size is required");
        assert!(
            err.message().contains("missing field `size`"),
            "{}",
            err.message()
        );
    }
}
