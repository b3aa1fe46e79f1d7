//! The JSON an invocation answers with.

use std::fmt;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::{Error, ErrorKind};

/// The serialized JSON answer of one invocation.
///
/// A reply is encoded once, by the router that produced it; the run loop and the local server
/// send its bytes as they are, with no second pass over them.
#[derive(Clone)]
pub struct Reply(Box<RawValue>);

impl Reply {
    /// Serializes `value` into a reply.
    ///
    /// ```
    /// let reply = aegis_core::Reply::json(&serde_json::json!({"ok": true})).unwrap();
    /// assert_eq!(reply.as_str(), r#"{"ok":true}"#);
    /// ```
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::value::to_raw_value(value)
            .map(Self)
            .map_err(|e| {
                Error::with_kind(
                    ErrorKind::Encode,
                    "EncodeError",
                    format!("the response could not be encoded as JSON: {e}"),
                )
            })
    }

    /// The JSON `null`, the answer of a handler that returns nothing.
    #[must_use]
    pub fn null() -> Self {
        Self(RawValue::NULL.to_owned())
    }

    /// The reply's JSON text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The reply's JSON bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.0.get().as_bytes()
    }

    /// Decodes the reply into a typed value, for tests and clients.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// The reply as a raw JSON value.
    #[must_use]
    pub fn into_raw(self) -> Box<RawValue> {
        self.0
    }
}

impl From<Box<RawValue>> for Reply {
    fn from(raw: Box<RawValue>) -> Self {
        Self(raw)
    }
}

impl Serialize for Reply {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Reply").field(&self.as_str()).finish()
    }
}
