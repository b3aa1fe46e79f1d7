//! [`LocalServer`]: the whole app on one local HTTP port, for development and tests.
//!
//! It serves the app's routes as plain HTTP, the Lambda Invoke API for every trigger
//! (`POST /2015-03-31/functions/{name}/invocations`, any function name), and, when asked, fires
//! the app's schedules at their times. It stops on SIGINT or SIGTERM (or the future given to
//! [`BoundServer::serve_with_shutdown`]) once the requests in flight have finished.
//!
//! To start one inside a test, bind to port 0 and read the address back:
//!
//! ```
//! # async fn demo() -> Result<(), aegis_axum::LocalError> {
//! use aegis_axum::LocalServer;
//!
//! let demux = aegis_core::App::new("test").build().unwrap();
//! let server = LocalServer::new(demux).addr("127.0.0.1:0".parse().unwrap()).bind().await?;
//! let addr = server.local_addr();
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(server.serve_with_shutdown(async { let _ = stopped.await; }));
//! // ... send requests to `http://{addr}/...` ...
//! # let _ = addr;
//! let _ = stop.send(());
//! serving.await.unwrap()?;
//! # Ok(())
//! # }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

mod context;
mod cron;
mod error;
mod http;
mod invoke;
mod schedule;
mod signal;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use aegis_core::EventDemux;
use axum::routing::post;
use axum::Router;
use tokio::net::TcpListener;

pub use error::LocalError;

use crate::LocalRouter;

/// The variable that sets the local server's address, such as `127.0.0.1:9001`.
pub const ADDR_ENV: &str = "AEGIS_ADDR";

/// The variable that, set to `1`, makes the local server fire the app's schedules.
pub const LOCAL_SCHEDULES_ENV: &str = "AEGIS_LOCAL_SCHEDULES";

/// Lambda's variable for the function's timeout in seconds; locally it bounds each invocation.
const TIMEOUT_ENV: &str = "AWS_LAMBDA_FUNCTION_TIMEOUT";

const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9000);

/// Lambda's longest timeout, the local default: a debugger may hold a handler for long.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(900);

/// Configures and starts the local server.
#[must_use]
pub struct LocalServer {
    demux: EventDemux,
    addr: Option<SocketAddr>,
    schedules: Option<bool>,
    timeout: Option<Duration>,
}

impl LocalServer {
    /// A server for `demux`, on `AEGIS_ADDR` or `127.0.0.1:9000`, with schedules fired only when
    /// `AEGIS_LOCAL_SCHEDULES=1`, and each invocation given `AWS_LAMBDA_FUNCTION_TIMEOUT`
    /// seconds or 900.
    pub fn new(demux: EventDemux) -> Self {
        Self {
            demux,
            addr: None,
            schedules: None,
            timeout: None,
        }
    }

    /// Listens on `addr` rather than `AEGIS_ADDR`'s address. Port 0 picks a free port.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// Fires the app's schedules (or not), whatever `AEGIS_LOCAL_SCHEDULES` says.
    pub fn schedules(mut self, fire: bool) -> Self {
        self.schedules = Some(fire);
        self
    }

    /// Gives each invocation `timeout` before it is stopped with a `Timeout` error.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Binds the listening socket, so the address is known (and taken) before serving.
    ///
    /// # Errors
    ///
    /// An `AEGIS_ADDR` or `AWS_LAMBDA_FUNCTION_TIMEOUT` that does not parse, an address already
    /// in use, or another failure to bind.
    pub async fn bind(self) -> Result<BoundServer, LocalError> {
        let addr = match self.addr {
            Some(addr) => addr,
            None => env_addr()?,
        };
        let timeout = match self.timeout {
            Some(timeout) => timeout,
            None => env_timeout()?,
        };
        let schedules = self
            .schedules
            .unwrap_or_else(|| std::env::var(LOCAL_SCHEDULES_ENV).is_ok_and(|v| v == "1"));

        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| LocalError::bind(addr, e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| LocalError::bind(addr, e))?;
        Ok(BoundServer {
            listener,
            addr,
            demux: self.demux,
            schedules,
            timeout,
        })
    }

    /// Binds and serves until SIGINT or SIGTERM.
    ///
    /// # Errors
    ///
    /// As [`bind`](Self::bind) and [`BoundServer::serve`].
    pub async fn serve(self) -> Result<(), LocalError> {
        self.bind().await?.serve().await
    }
}

impl std::fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalServer")
            .field("app", &self.demux.manifest().app)
            .field("addr", &self.addr)
            .field("schedules", &self.schedules)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A local server whose socket is bound, ready to serve.
pub struct BoundServer {
    listener: TcpListener,
    addr: SocketAddr,
    demux: EventDemux,
    schedules: bool,
    timeout: Duration,
}

impl BoundServer {
    /// The address the server listens on, with the port the system picked for port 0.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until SIGINT or SIGTERM, then lets the requests in flight finish.
    ///
    /// # Errors
    ///
    /// When the signal handlers cannot be installed or the server fails.
    pub async fn serve(self) -> Result<(), LocalError> {
        // Installed before serving, so a signal sent as soon as the port answers is not missed.
        let stop = signal::installed().map_err(LocalError::Serve)?;
        self.serve_with_shutdown(stop).await
    }

    /// Serves until `shutdown` completes, then lets the requests in flight finish.
    ///
    /// # Errors
    ///
    /// When the server fails.
    pub async fn serve_with_shutdown<F>(self, shutdown: F) -> Result<(), LocalError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let manifest = self.demux.manifest();
        let app = manifest.app.clone();
        tracing::info!(
            addr = %self.addr,
            invoke = %format!("http://{}/2015-03-31/functions/{app}/invocations", self.addr),
            http_routes = manifest.http,
            triggers = ?manifest.triggers,
            schedules = ?manifest.schedules.iter().map(|s| &s.task).collect::<Vec<_>>(),
            rpc_methods = ?manifest.rpc.methods,
            "aegis local server listening"
        );

        let firing = self
            .schedules
            .then(|| schedule::start(&self.demux, &app, self.timeout));
        let router = routes(&self.demux, &app, self.timeout);
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;

        drop(firing);
        tracing::info!(addr = %self.addr, "aegis local server stopped");
        served.map_err(LocalError::Serve)
    }
}

impl std::fmt::Debug for BoundServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundServer")
            .field("app", &self.demux.manifest().app)
            .field("addr", &self.addr)
            .field("schedules", &self.schedules)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The Invoke API first, then the app's own routes.
fn routes(demux: &EventDemux, function: &str, timeout: Duration) -> Router {
    let invoker = invoke::Invoker {
        demux: demux.clone(),
        timeout,
    };
    // One router for both, rather than the app's router as a fallback, so a plain request pays
    // for one route match. The Invoke route is added after the app's layers, so they do not
    // wrap it.
    http::app_routes(demux.extension::<LocalRouter>(), function, timeout).route(
        invoke::INVOKE_PATH,
        post(invoke::handle).with_state(invoker),
    )
}

fn env_addr() -> Result<SocketAddr, LocalError> {
    match std::env::var(ADDR_ENV) {
        Ok(value) => value
            .parse()
            .map_err(|e: std::net::AddrParseError| LocalError::env(ADDR_ENV, &value, &e)),
        Err(_) => Ok(DEFAULT_ADDR),
    }
}

fn env_timeout() -> Result<Duration, LocalError> {
    match std::env::var(TIMEOUT_ENV) {
        Ok(value) => value
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|e| LocalError::env(TIMEOUT_ENV, &value, &e)),
        Err(_) => Ok(DEFAULT_TIMEOUT),
    }
}
