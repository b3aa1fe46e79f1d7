//! The one HTTP request aegis makes itself: a `PUT` of a custom resource's result to the
//! presigned S3 URL CloudFormation gave.
//!
//! It runs on hyper's client, which the Lambda runtime already brings. Plain `http://` URLs
//! always work (local stand-ins in tests); `https://`, which every real `ResponseURL` is, needs
//! the default-on `tls` feature (rustls with ring, and the system's root certificates). The
//! request carries no `Content-Type`, because the URL is signed without one and S3 would refuse
//! a signature that does not cover a header sent.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::{Error, ErrorKind};

/// How long a `PUT` may take when the invocation has no deadline.
const DEFAULT_PUT_TIMEOUT: Duration = Duration::from_secs(30);

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = hyper_util::client::legacy::connect::HttpConnector;

/// One client per process: loading the root certificates is the costly part, done once.
fn client() -> Result<&'static Client<Connector, Full<Bytes>>, Error> {
    static CLIENT: OnceLock<Result<Client<Connector, Full<Bytes>>, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| connector().map(|c| Client::builder(TokioExecutor::new()).build(c)))
        .as_ref()
        .map_err(|reason| failed(reason.clone()))
}

#[cfg(feature = "tls")]
fn connector() -> Result<Connector, String> {
    let provider = rustls::crypto::ring::default_provider();
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider)
        .map_err(|e| format!("no root certificates for HTTPS could be loaded: {e}"))?;
    Ok(builder.https_or_http().enable_http1().build())
}

#[cfg(not(feature = "tls"))]
fn connector() -> Result<Connector, String> {
    Ok(hyper_util::client::legacy::connect::HttpConnector::new())
}

fn failed(reason: impl Into<String>) -> Error {
    Error::with_kind(ErrorKind::Other, "ResponseNotDelivered", reason)
}

/// `PUT`s `body` to `url`, giving up at `deadline` (or after 30 s without one).
///
/// # Errors
///
/// A URL that does not parse, an `https` URL without the `tls` feature, a connection failure, a
/// timeout, or an answer other than 2xx: each names the URL's host and what went wrong.
pub(crate) async fn put(url: &str, body: Vec<u8>, deadline: Option<Instant>) -> Result<(), Error> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| failed(format!("the ResponseURL `{url}` is not a valid URL: {e}")))?;
    let host = uri.host().unwrap_or("?").to_owned();
    if cfg!(not(feature = "tls")) && uri.scheme_str() == Some("https") {
        return Err(failed(format!(
            "the ResponseURL on `{host}` is https, and aegis-core was built without its `tls` feature"
        )));
    }

    let length = body.len();
    let request = http::Request::put(uri)
        .header(http::header::CONTENT_LENGTH, length)
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| failed(format!("the response to `{host}` could not be built: {e}")))?;

    let until = deadline.unwrap_or_else(|| Instant::now() + DEFAULT_PUT_TIMEOUT);
    let sent = tokio::time::timeout_at(until.into(), async {
        let response = client()?
            .request(request)
            .await
            .map_err(|e| failed(format!("the response could not be sent to `{host}`: {e}")))?;
        let status = response.status();
        // Read the body so the connection can be reused, and to quote S3's complaint if any.
        let text = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        if status.is_success() {
            Ok(())
        } else {
            let text = String::from_utf8_lossy(&text);
            Err(failed(format!(
                "`{host}` refused the response with {status}: {text}"
            )))
        }
    })
    .await;

    match sent {
        Ok(result) => {
            tracing::debug!(
                host,
                bytes = length,
                ok = result.is_ok(),
                "custom resource response sent"
            );
            result
        }
        Err(_) => Err(failed(format!(
            "`{host}` did not take the response before the invocation's deadline"
        ))),
    }
}
