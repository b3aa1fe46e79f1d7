//! The Lambda context of a local invocation: a fresh request id, a deadline, a function ARN,
//! and the caller's X-Ray trace header when it sent one.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aegis_core::lambda_runtime::{Config, Context};
use http::HeaderMap;

/// The account and region of local function ARNs.
const LOCAL_ARN_PREFIX: &str = "arn:aws:lambda:local:000000000000:function:";

/// A request id shaped like Lambda's (a version 4 UUID), unique within the process.
pub(crate) fn request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());

    // std's randomly keyed hasher is random enough for ids, without a dependency for it.
    let random = |salt: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(count);
        hasher.write_u128(nanos);
        hasher.write_u64(salt);
        hasher.finish()
    };
    let (a, b) = (random(1), random(2));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

/// The `X-Amzn-Trace-Id` header of a local request, which Lambda would put in the context's
/// `xray_trace_id` (an API Gateway or Invoke caller's trace), so tracing layers join the
/// caller's trace locally too.
pub(crate) fn trace_header(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-amzn-trace-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The context Lambda would give an invocation of `function` with `timeout` left.
pub(crate) fn lambda_context(request_id: &str, function: &str, timeout: Duration) -> Context {
    lambda_context_in(request_id, &function_config(function), timeout)
}

/// The function's configuration as Lambda's environment would describe it; built once per
/// server and shared by every invocation's context.
pub(crate) fn function_config(function: &str) -> Arc<Config> {
    Arc::new(Config {
        function_name: function.to_owned(),
        memory: 128,
        version: "$LATEST".to_owned(),
        log_stream: String::new(),
        log_group: format!("/aws/lambda/{function}"),
    })
}

/// [`lambda_context`] with a configuration already built.
pub(crate) fn lambda_context_in(
    request_id: &str,
    config: &Arc<Config>,
    timeout: Duration,
) -> Context {
    let deadline = SystemTime::now()
        .checked_add(timeout)
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));

    let mut context = Context::default();
    context.request_id = request_id.to_owned();
    context.deadline = deadline;
    context.invoked_function_arn = format!("{LOCAL_ARN_PREFIX}{}", config.function_name);
    context.env_config = Arc::clone(config);
    context
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_look_like_uuids_and_differ() {
        let (a, b) = (request_id(), request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
    }

    #[test]
    fn the_trace_header_is_read_when_present_and_not_empty() {
        let mut headers = HeaderMap::new();
        assert_eq!(trace_header(&headers), None);
        headers.insert("x-amzn-trace-id", "".parse().unwrap());
        assert_eq!(trace_header(&headers), None);
        let root = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
        headers.insert("X-Amzn-Trace-Id", root.parse().unwrap());
        assert_eq!(trace_header(&headers).as_deref(), Some(root));
    }

    #[test]
    fn the_context_names_a_local_function() {
        let ctx = lambda_context("id", "shop", Duration::from_secs(3));
        assert_eq!(
            ctx.invoked_function_arn,
            "arn:aws:lambda:local:000000000000:function:shop"
        );
        assert!(ctx.deadline > 0);
    }
}
