//! What the layers know about an invocation before it runs: whether it is the process's first,
//! and the function it runs in.
//!
//! The trace and the metrics layers both ask whether an invocation is the cold start, in
//! whichever order they wrap the app, and must agree. The process remembers the request id of
//! the first invocation it served, so the answer is the same for every layer that asks about
//! the same invocation, with nothing stored on the invocation itself.

use std::sync::OnceLock;

use aegis_core::Invocation;

static FIRST: OnceLock<Box<str>> = OnceLock::new();

/// Whether `inv` is the first invocation this process serves.
pub(crate) fn cold_start(inv: &Invocation) -> bool {
    let id = inv.context().request_id.as_str();
    let mut first_to_ask = false;
    let first = FIRST.get_or_init(|| {
        first_to_ask = true;
        id.into()
    });
    // Lambda's request ids are never empty; a default context's are, and cannot be told apart.
    first_to_ask || (!id.is_empty() && **first == *id)
}

/// `AWS_REGION`, read once: Lambda sets it for the life of the process.
pub(crate) fn region() -> Option<&'static str> {
    static REGION: OnceLock<Option<String>> = OnceLock::new();
    REGION
        .get_or_init(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
        .as_deref()
}

/// The account id inside a function ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME`).
pub(crate) fn account_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// `Some(s)` unless `s` is empty: a default [`lambda_runtime::Context`] (tests, local runs)
/// leaves its strings empty, and an empty attribute says nothing.
pub(crate) fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_is_the_fifth_part_of_an_arn() {
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:shop";
        assert_eq!(account_of(arn), Some("123456789012"));
        assert_eq!(account_of(""), None);
    }

    #[test]
    fn every_layer_gets_the_same_answer_for_the_same_invocation() {
        let context = |id: &str| {
            let mut c = aegis_core::lambda_runtime::Context::default();
            c.request_id = id.to_owned();
            c
        };
        let first = Invocation::new(&b"{}"[..], context("first"));
        assert!(cold_start(&first));
        assert!(cold_start(&first));
        let next = Invocation::new(&b"{}"[..], context("next"));
        assert!(!cold_start(&next));
    }
}
