//! [`AppExt::router`]: an axum `Router` as the HTTP side of an [`App`].

use aegis_core::App;

use crate::HttpService;

/// The router an app was given with [`AppExt::router`], kept in the built demux so the local
/// server serves it as plain HTTP.
///
/// ```
/// use aegis_axum::{AppExt, LocalRouter};
/// use axum::{routing::get, Router};
///
/// let demux = aegis_core::App::new("web")
///     .router(Router::new().route("/", get(|| async { "hi" })))
///     .build()
///     .unwrap();
/// assert!(demux.extension::<LocalRouter>().is_some());
/// ```
#[derive(Clone, Debug)]
pub struct LocalRouter(axum::Router);

impl LocalRouter {
    /// The router, as the app declared it.
    pub fn router(&self) -> &axum::Router {
        &self.0
    }
}

/// Adds an axum `Router` to an [`App`].
pub trait AppExt {
    /// Serves every HTTP trigger with `router` (see [`HttpService`]) and keeps it for the local
    /// server.
    fn router(self, router: axum::Router) -> App;
}

impl AppExt for App {
    fn router(self, router: axum::Router) -> App {
        self.http(HttpService::from_router(router.clone()))
            .extension(LocalRouter(router))
    }
}
