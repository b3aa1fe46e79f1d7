//! Arbitrary requests to the local server: the Invoke API with any body and invocation type,
//! and the app's plain HTTP routes. The server is bound once per process on 127.0.0.1:0 and
//! driven over one kept-alive connection.
//!
//! Checks: a body that is JSON (or empty) is never refused, one that is not always is (400);
//! a function error carries `X-Amz-Function-Error` and an `errorType`; nothing answers 5xx.
#![no_main]

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use aegis_axum::LocalServer;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;

fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        aegis_fuzz::runtime().block_on(async {
            let bound = LocalServer::new(aegis_fuzz::app())
                .addr(SocketAddr::from(([127, 0, 0, 1], 0)))
                .schedules(false)
                .timeout(Duration::from_secs(5))
                .bind()
                .await
                .expect("the local server binds on 127.0.0.1:0");
            let addr = bound.local_addr();
            tokio::spawn(bound.serve_with_shutdown(std::future::pending()));
            addr
        })
    })
}

thread_local! {
    static CONNECTION: RefCell<Option<SendRequest<Full<Bytes>>>> = const { RefCell::new(None) };
}

async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("the local server accepts");
    let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("an HTTP/1 handshake");
    tokio::spawn(conn);
    send
}

fuzz_target!(|data: &[u8]| aegis_fuzz::guarded(|| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let addr = server();
    let (method, path) = match selector % 4 {
        0 => ("POST", "/2015-03-31/functions/fuzz/invocations"),
        1 => ("POST", "/2015-03-31/functions/any%20name/invocations"),
        2 => ("GET", "/users/42"),
        _ => ("POST", "/echo"),
    };
    let kind = match (selector / 4) % 4 {
        0 => None,
        1 => Some("Event"),
        2 => Some("DryRun"),
        _ => Some("Sideways"),
    };

    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .header("host", addr.to_string());
    if let Some(kind) = kind {
        request = request.header("x-amz-invocation-type", kind);
    }
    let request = request
        .body(Full::new(Bytes::copy_from_slice(body)))
        .expect("a well-formed request");

    let (status, function_error, answer) = aegis_fuzz::runtime().block_on(async {
        let mut send = match CONNECTION.with(|c| c.borrow_mut().take()) {
            Some(send) if !send.is_closed() => send,
            _ => connect(addr).await,
        };
        send.ready().await.expect("the connection is ready");
        let response = send
            .send_request(request)
            .await
            .expect("the server answers");
        CONNECTION.with(|c| *c.borrow_mut() = Some(send));
        let status = response.status().as_u16();
        let function_error = response.headers().contains_key("x-amz-function-error");
        let answer = response
            .into_body()
            .collect()
            .await
            .expect("a whole body")
            .to_bytes();
        (status, function_error, answer)
    });

    assert!(
        status < 500,
        "status {status}: {}",
        String::from_utf8_lossy(&answer)
    );
    if selector % 4 >= 2 {
        return;
    }
    let blank = body.iter().all(u8::is_ascii_whitespace);
    let json = blank || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
    match kind {
        Some("Sideways") => assert_eq!(status, 400),
        _ if !json => assert_eq!(status, 400, "a body that is not JSON was not refused"),
        Some("Event") => assert_eq!(status, 202),
        Some("DryRun") => assert_eq!(status, 204),
        _ => {
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            let answer: serde_json::Value =
                serde_json::from_slice(&answer).expect("the answer is JSON");
            if function_error {
                assert!(answer["errorType"].is_string(), "{answer}");
            }
        }
    }
}));
