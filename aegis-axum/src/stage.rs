//! Taking an API Gateway stage off the front of a request's path.
//!
//! `lambda_http` puts the stage in front of a REST API path (unless
//! `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH` is set), and an HTTP API's `rawPath` carries it on a
//! named stage. Users declare routes without it, as the API's own routes are written, so the
//! [`HttpService`](crate::HttpService) takes it off again unless told to keep it.

use http::uri::{PathAndQuery, Uri};

/// Takes `/{stage}` off the front of the request's path, keeping the query.
pub(crate) fn strip(req: &mut lambda_http::Request, stage: &str) {
    let path = req.uri().path();
    let Some(rest) = path
        .strip_prefix('/')
        .and_then(|p| p.strip_prefix(stage))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    else {
        return;
    };
    let rest = if rest.is_empty() { "/" } else { rest };
    let path_and_query = match req.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };

    let mut parts = req.uri().clone().into_parts();
    parts.path_and_query = PathAndQuery::try_from(path_and_query).ok();
    if let Ok(uri) = Uri::from_parts(parts) {
        *req.uri_mut() = uri;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn request(uri: &str) -> lambda_http::Request {
        http::Request::builder().uri(uri).body(Body::Empty).unwrap()
    }

    #[test]
    fn the_stage_comes_off_the_front_of_the_path() {
        let mut req = request("https://h.example/prod/users/7?x=1&x=2");
        strip(&mut req, "prod");
        assert_eq!(req.uri(), "https://h.example/users/7?x=1&x=2");
    }

    #[test]
    fn the_bare_stage_becomes_the_root() {
        let mut req = request("https://h.example/prod");
        strip(&mut req, "prod");
        assert_eq!(req.uri().path(), "/");
    }

    #[test]
    fn a_path_that_merely_starts_like_the_stage_is_kept() {
        let mut req = request("https://h.example/products");
        strip(&mut req, "prod");
        assert_eq!(req.uri().path(), "/products");
    }
}
