//! Repeated headers, which `lambda_http`'s conversions would otherwise lose.
//!
//! On the way in, REST and ALB events carry each header twice: the last value in `headers`,
//! every value in `multiValueHeaders`. `lambda_http` lays the first over the second, which
//! replaces every value of a name with the last one. On the way out, HTTP API, Function URL and
//! VPC Lattice responses have one string per header name, and only the first value is written.
//! API Gateway itself joins repeated headers with commas, so aegis does the same before the
//! conversion (`Set-Cookie` excepted where it goes to the `cookies` array).

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderName, HeaderValue};

/// Takes out of `headers` every name that `multi_value_headers` holds more than once, so the
/// merge keeps all of its values. Other names stay, `Host` among them, which `lambda_http`
/// reads from `headers` alone.
pub(crate) fn keep_every_value(headers: &mut HeaderMap, multi_value_headers: &HeaderMap) {
    for name in multi_value_headers.keys() {
        if multi_value_headers.get_all(name).iter().nth(1).is_some() {
            headers.remove(name);
        }
    }
}

/// Joins each repeated header of a response into one comma-separated value.
pub(crate) fn join_repeated(headers: &mut HeaderMap, except_set_cookie: bool) {
    let repeated: Vec<HeaderName> = headers
        .keys()
        .filter(|name| !(except_set_cookie && *name == SET_COOKIE))
        .filter(|name| headers.get_all(*name).iter().nth(1).is_some())
        .cloned()
        .collect();
    for name in repeated {
        let joined = headers
            .get_all(&name)
            .iter()
            .map(HeaderValue::as_bytes)
            .collect::<Vec<_>>()
            .join(&b", "[..]);
        if let Ok(value) = HeaderValue::from_bytes(&joined) {
            headers.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn a_header_sent_twice_leaves_the_single_value_map() {
        let mut single = map(&[("x", "2"), ("host", "h")]);
        keep_every_value(&mut single, &map(&[("x", "1"), ("x", "2"), ("host", "h")]));
        assert!(single.get("x").is_none());
        assert_eq!(single["host"], "h");
    }

    #[test]
    fn repeated_response_headers_are_joined_but_cookies_are_not() {
        let mut headers = map(&[
            ("x", "a"),
            ("x", "b"),
            ("set-cookie", "c=1"),
            ("set-cookie", "d=2"),
        ]);
        join_repeated(&mut headers, true);
        assert_eq!(headers["x"], "a, b");
        assert_eq!(headers.get_all("set-cookie").iter().count(), 2);
    }
}
