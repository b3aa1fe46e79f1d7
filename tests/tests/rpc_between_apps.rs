//! Two local aegis apps, one calling the other with the RPC client through the Invoke API, as
//! two deployed functions would: `shop` serves `checkout` and calls `pricing`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use aegis_axum::LocalServer;
use aegis_core::{App, Ctx, Error, EventDemux, RpcClient, RpcError, RpcRouter};
use aws_config::{BehaviorVersion, Region};
use aws_sdk_lambda::primitives::Blob;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// Long enough for a slow machine, short enough that a hang fails the test.
const BOUND: Duration = Duration::from_secs(30);

const XRAY: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

#[derive(Debug, Serialize, Deserialize)]
struct Cart {
    items: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Quote {
    total: u64,
    /// The propagation headers the call arrived with.
    context: BTreeMap<String, String>,
}

/// What the `hold` method of `pricing` shares with the test: it reports that it started, then
/// waits to be released.
#[derive(Clone)]
struct Hold {
    started: mpsc::UnboundedSender<Vec<String>>,
    release: Arc<Notify>,
}

fn pricing(hold: Hold) -> EventDemux {
    let rpc = RpcRouter::with_state(hold)
        .method("quote", |cart: Cart, ctx: Ctx<Hold>| async move {
            let total = 3 * u64::try_from(cart.items.len()).unwrap();
            let context = ctx.rpc_context().clone();
            Ok::<_, Error>(Quote { total, context })
        })
        .method("fail", |_: Cart, _ctx: Ctx<Hold>| async move {
            Err::<Quote, _>(Error::new("OutOfStock", "no tea left"))
        })
        .method("hold", |cart: Cart, ctx: Ctx<Hold>| async move {
            ctx.state().started.send(cart.items).unwrap();
            ctx.state().release.notified().await;
            Ok::<_, Error>(())
        });
    App::new("pricing").rpc(rpc).build().unwrap()
}

fn shop(pricing: RpcClient) -> EventDemux {
    let rpc = RpcRouter::with_state(pricing)
        .method("checkout", |cart: Cart, ctx: Ctx<RpcClient>| async move {
            let quote: Quote = ctx.state().call_from(&ctx, "quote", &cart).await?;
            Ok::<_, Error>(json!({ "items": cart.items, "quote": quote }))
        })
        .method(
            "checkout_gone",
            |cart: Cart, ctx: Ctx<RpcClient>| async move {
                let answer = ctx.state().call_from(&ctx, "fail", &cart).await;
                match answer {
                    Ok(Quote { .. }) => Ok(json!("unexpectedly quoted")),
                    Err(RpcError::Remote {
                        error_type,
                        message,
                        ..
                    }) if error_type == "OutOfStock" => Err(Error::new(
                        "CannotCheckout",
                        format!("pricing refused: {message}"),
                    )),
                    Err(other) => Err(other.into()),
                }
            },
        )
        .method(
            "checkout_unchecked",
            |cart: Cart, ctx: Ctx<RpcClient>| async move {
                let quote: Quote = ctx.state().call_from(&ctx, "fail", &cart).await?;
                Ok::<_, Error>(quote.total)
            },
        )
        .method("reserve", |cart: Cart, ctx: Ctx<RpcClient>| async move {
            ctx.state().notify_from(&ctx, "hold", &cart).await?;
            Ok::<_, Error>("reserving")
        });
    App::new("shop").calls("pricing").rpc(rpc).build().unwrap()
}

/// A local server on a free port, until `stop`.
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    served: JoinHandle<()>,
}

impl Running {
    async fn start(demux: EventDemux) -> Self {
        let server = LocalServer::new(demux)
            .addr("127.0.0.1:0".parse().unwrap())
            .bind()
            .await
            .unwrap();
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            server.serve_with_shutdown(shutdown).await.unwrap();
        });
        Self { addr, stop, served }
    }

    async fn stop(self) {
        self.stop.send(()).unwrap();
        timeout(BOUND, self.served).await.unwrap().unwrap();
    }
}

/// An SDK client aimed at a local server, as `AWS_ENDPOINT_URL_LAMBDA` would aim it.
async fn lambda_at(addr: SocketAddr) -> aws_sdk_lambda::Client {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .region(Region::new("eu-west-1"))
        .endpoint_url(format!("http://{addr}"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    aws_sdk_lambda::Client::new(&config)
}

/// Both apps running, `shop` calling `pricing`, and a client for `shop`.
struct Apps {
    pricing: Running,
    shop: Running,
    client: aws_sdk_lambda::Client,
    started: mpsc::UnboundedReceiver<Vec<String>>,
    release: Arc<Notify>,
}

async fn apps() -> Apps {
    let (started, started_rx) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let hold = Hold {
        started,
        release: Arc::clone(&release),
    };
    let pricing = Running::start(self::pricing(hold)).await;
    let to_pricing = RpcClient::new(lambda_at(pricing.addr).await, "pricing");
    let shop = Running::start(self::shop(to_pricing)).await;
    let client = lambda_at(shop.addr).await;
    Apps {
        pricing,
        shop,
        client,
        started: started_rx,
        release,
    }
}

/// Invokes `shop` with an RPC envelope, and returns the function error marker and the body.
async fn invoke_shop(apps: &Apps, envelope: Value) -> (Option<String>, Value) {
    let sent = apps
        .client
        .invoke()
        .function_name("shop")
        .payload(Blob::new(serde_json::to_vec(&envelope).unwrap()))
        .send();
    let out = timeout(BOUND, sent).await.unwrap().unwrap();
    let body = serde_json::from_slice(out.payload().unwrap().as_ref()).unwrap();
    (out.function_error().map(str::to_owned), body)
}

fn envelope(method: &str) -> Value {
    json!({"aegis_rpc": 1, "method": method, "args": {"items": ["tea", "scone"]}})
}

#[tokio::test]
async fn a_handler_gets_the_typed_answer_of_the_function_it_calls() {
    let apps = apps().await;
    let (error, body) = invoke_shop(&apps, envelope("checkout")).await;
    assert_eq!(error, None);
    assert_eq!(
        body,
        json!({"items": ["tea", "scone"], "quote": {"total": 6, "context": {}}})
    );
    apps.shop.stop().await;
    apps.pricing.stop().await;
}

#[tokio::test]
async fn the_trace_context_a_function_was_called_with_reaches_the_function_it_calls() {
    let apps = apps().await;
    let mut call = envelope("checkout");
    call["context"] = json!({"X-Amzn-Trace-Id": XRAY, "traceparent": TRACEPARENT});
    let (error, body) = invoke_shop(&apps, call).await;
    assert_eq!(error, None);
    assert_eq!(
        body["quote"]["context"],
        json!({"X-Amzn-Trace-Id": XRAY, "traceparent": TRACEPARENT})
    );
    apps.shop.stop().await;
    apps.pricing.stop().await;
}

#[tokio::test]
async fn a_remote_error_reaches_the_caller_typed_and_can_become_its_own() {
    let apps = apps().await;
    let (error, body) = invoke_shop(&apps, envelope("checkout_gone")).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(
        body,
        json!({"errorType": "CannotCheckout", "errorMessage": "pricing refused: no tea left"})
    );
    apps.shop.stop().await;
    apps.pricing.stop().await;
}

#[tokio::test]
async fn a_remote_error_passed_on_with_the_question_mark_keeps_its_type_and_message() {
    let apps = apps().await;
    let (error, body) = invoke_shop(&apps, envelope("checkout_unchecked")).await;
    assert_eq!(error.as_deref(), Some("Unhandled"));
    assert_eq!(
        body,
        json!({"errorType": "OutOfStock", "errorMessage": "no tea left"})
    );
    apps.shop.stop().await;
    apps.pricing.stop().await;
}

#[tokio::test]
async fn a_notification_returns_before_the_function_it_calls_has_finished() {
    let mut apps = apps().await;

    // `hold` cannot finish before the release below, which comes after `shop` has answered.
    let (error, body) = invoke_shop(&apps, envelope("reserve")).await;
    assert_eq!((error, body), (None, json!("reserving")));
    let started = timeout(BOUND, apps.started.recv()).await.unwrap();
    assert_eq!(started.unwrap(), ["tea", "scone"]);
    apps.release.notify_one();

    apps.shop.stop().await;
    apps.pricing.stop().await;
}

#[tokio::test]
async fn a_call_to_a_stopped_server_is_a_transport_error() {
    let (started, _started) = mpsc::unbounded_channel();
    let hold = Hold {
        started,
        release: Arc::new(Notify::new()),
    };
    let pricing = Running::start(self::pricing(hold)).await;
    let addr = pricing.addr;
    pricing.stop().await;

    let client = RpcClient::new(lambda_at(addr).await, "pricing");
    let cart = Cart {
        items: vec!["tea".to_owned()],
    };
    let answer = timeout(BOUND, client.call::<_, Quote>("quote", &cart)).await;
    let err = answer.unwrap().unwrap_err();
    assert!(matches!(err, RpcError::Transport { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("calling `quote` on function `pricing` failed before it answered"),
        "{err}"
    );
}
