//! Typed decoding of a payload, once, with a diagnostic that names the failing field.
//!
//! A decoder that panics is a decode error too: some event types' `Deserialize` impls assert
//! on their input (`aws_lambda_events` asserts that a millisecond timestamp has no fraction),
//! and no payload may panic out of the demux.

use std::panic::{catch_unwind, AssertUnwindSafe};

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
    match unwinding(|| serde_json::from_slice(payload)) {
        Ok(Ok(event)) => Ok(event),
        Ok(Err(plain)) => Err(Error::decode(trigger, &explain::<T>(payload, &plain))),
        Err(panicked) => Err(Error::decode(trigger, &panicked)),
    }
}

/// Decodes a part of an event (an SQS body, RPC arguments) into `T`, naming the part on failure.
pub(crate) fn part<T: DeserializeOwned>(what: &str, json: &str) -> Result<T, String> {
    match unwinding(|| serde_json::from_str(json)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(plain)) => Err(format!("{what}: {}", explain::<T>(json.as_bytes(), &plain))),
        Err(panicked) => Err(format!("{what}: {panicked}")),
    }
}

fn explain<T: DeserializeOwned>(payload: &[u8], plain: &serde_json::Error) -> String {
    let traced = unwinding(|| {
        let mut de = serde_json::Deserializer::from_slice(payload);
        serde_path_to_error::deserialize::<_, T>(&mut de).err()
    });
    match traced {
        Ok(Some(traced)) if traced.path().to_string() != "." => {
            format!("{} (at `{}`)", traced.inner(), traced.path())
        }
        _ => plain.to_string(),
    }
}

/// Runs a decoder, turning a panic inside it into the text of an error.
fn unwinding<R>(decode: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(decode))
        .map_err(|panic| format!("its decoder panicked: {}", Error::panic_detail(&*panic)))
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
    fn a_panicking_decoder_is_a_decode_error() {
        use aws_lambda_events::firehose::KinesisFirehoseEventRecord;

        // aws_lambda_events asserts that a millisecond timestamp has no fraction.
        let record = br#"{"recordId":"r","data":"","approximateArrivalTimestamp":1.5}"#;
        let err = event::<KinesisFirehoseEventRecord>(Trigger::Firehose, record)
            .expect_err("a fraction of a millisecond does not decode");
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
        assert!(
            err.message().contains("decoder panicked"),
            "{}",
            err.message()
        );
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
