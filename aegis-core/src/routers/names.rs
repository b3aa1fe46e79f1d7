//! Matching a resource named in code (by name or ARN) against the ARN in an event.
//!
//! Code may name resources by a logical name that the deployed stack maps to a physical one:
//! the deploy tool sets `AEGIS_NAMES` to a JSON object from logical to physical names (or
//! ARNs), and every router resolves the names it was given through it before matching. A name
//! the map does not hold is used as written.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The variable holding the logical-to-physical name map.
pub(crate) const NAMES_ENV: &str = "AEGIS_NAMES";

/// The physical name of `declared`, from `AEGIS_NAMES`, or `declared` itself.
pub(crate) fn physical(declared: &str) -> Cow<'_, str> {
    static NAMES: OnceLock<HashMap<String, String>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let Ok(json) = std::env::var(NAMES_ENV) else {
            return HashMap::new();
        };
        serde_json::from_str(&json).unwrap_or_else(|e| {
            tracing::error!(error = %e, "{NAMES_ENV} is not a JSON object of names; ignored");
            HashMap::new()
        })
    });
    match names.get(declared) {
        Some(physical) => Cow::Owned(physical.clone()),
        None => Cow::Borrowed(declared),
    }
}

/// Whether `declared` names the resource of `arn`: an ARN must be equal, a bare name must equal
/// the resource name at the end of the ARN (`arn:aws:sqs:eu-west-1:123:orders` is `orders`).
pub(crate) fn names_resource(declared: &str, arn: &str) -> bool {
    let declared = physical(declared);
    let declared = declared.as_ref();
    if declared.starts_with("arn:") {
        declared == arn
    } else {
        resource_name(arn) == declared
    }
}

/// The resource name at the end of an ARN: after the last `:` or `/`.
pub(crate) fn resource_name(arn: &str) -> &str {
    arn.rsplit([':', '/']).next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_matches_the_end_of_an_arn() {
        let arn = "arn:aws:sqs:us-east-1:123456789012:orders";
        assert!(names_resource("orders", arn));
        assert!(names_resource(arn, arn));
        assert!(!names_resource("order", arn));
        assert!(!names_resource(
            "arn:aws:sqs:us-east-1:999999999999:orders",
            arn
        ));
    }

    #[test]
    fn the_resource_name_follows_a_slash_or_colon() {
        assert_eq!(
            resource_name("arn:aws:events:r:1:rule/bus/nightly"),
            "nightly"
        );
        assert_eq!(resource_name("arn:aws:sns:r:1:alerts"), "alerts");
        assert_eq!(resource_name("plain"), "plain");
    }
}
