//! Serve an axum `Router` on every HTTP trigger of an aegis app, and run the whole app locally.
//!
//! [`HttpService`] is the demux's service for API Gateway REST and HTTP APIs, Function URLs,
//! ALB and VPC Lattice: each event is decoded once, by its trigger, and converted to and from
//! `http` types by `lambda_http`'s own conversions, so handlers see what a `lambda_http`
//! function sees. [`AppExt::router`] registers it on an [`App`](aegis_core::App).
//!
//! [`run`] serves the app on Lambda when `AWS_LAMBDA_RUNTIME_API` is set and otherwise starts a
//! [`LocalServer`] on `127.0.0.1:9000`: the app's routes as plain HTTP, the Lambda Invoke API
//! for every other trigger, and, when asked, the app's schedules.
//!
//! # Failures
//!
//! An HTTP event that does not decode (a missing `httpMethod`, a header value that is not
//! valid, a malformed base64 body) fails its invocation with an [`aegis_core::Error`] whose
//! `errorType` is `DecodeError`; nothing panics out of the service. The local server fails to
//! start with a [`LocalError`] that names the address when the port is taken.
//!
//! # Example
//!
//! ```no_run
//! use aegis_axum::AppExt;
//! use axum::{extract::Path, routing::get, Router};
//!
//! async fn user(Path(id): Path<u32>) -> String {
//!     format!("user {id}")
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), aegis_core::BoxError> {
//!     let demux = aegis_core::App::new("web")
//!         .router(Router::new().route("/users/{id}", get(user)))
//!         .build()?;
//!     aegis_axum::run(demux).await
//! }
//! ```

mod app;
mod error;
mod event;
mod headers;
mod local;
mod route;
mod run;
mod service;
mod stage;

pub use app::{AppExt, LocalRouter};
pub use local::{BoundServer, LocalError, LocalServer, ADDR_ENV, LOCAL_SCHEDULES_ENV};
pub use run::run;
pub use service::HttpService;
