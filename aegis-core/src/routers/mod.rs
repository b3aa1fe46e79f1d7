//! The typed routers of the non-HTTP triggers.

pub(crate) mod authorizer;
pub(crate) mod cloudformation;
pub(crate) mod cognito;
pub(crate) mod custom_resource;
pub(crate) mod dynamodb;
pub(crate) mod eventbridge;
pub(crate) mod expression;
pub(crate) mod firehose;
pub(crate) mod kinesis;
pub(crate) mod logs;
pub(crate) mod names;
pub(crate) mod pattern;
pub(crate) mod presigned;
pub(crate) mod rpc;
pub(crate) mod s3;
pub(crate) mod schedule;
pub(crate) mod ses;
pub(crate) mod sns;
pub(crate) mod sqs;
pub(crate) mod streams;
pub(crate) mod websocket;
mod wildcard;

/// What every router shares: `new()` for a router without state, and the tower `Service`
/// that clones the router (a few `Arc`s and the state) into each call's future.
///
/// Given the name of its route table too, for a router made of that table (an `Arc` of a
/// collection), a `fallback` and its `state`, it also writes `with_state` and `Clone`.
macro_rules! router_service {
    ($router:ident, $routes:ident) => {
        impl<S: Clone + Send + Sync + 'static> $router<S> {
            /// A router whose handlers receive `state` through their [`Ctx`](crate::Ctx).
            #[must_use]
            pub fn with_state(state: S) -> Self {
                Self {
                    $routes: std::sync::Arc::default(),
                    fallback: None,
                    state,
                }
            }
        }

        impl<S: Clone> Clone for $router<S> {
            fn clone(&self) -> Self {
                Self {
                    $routes: std::sync::Arc::clone(&self.$routes),
                    fallback: self.fallback.clone(),
                    state: self.state.clone(),
                }
            }
        }

        super::router_service!($router);
    };
    ($router:ident) => {
        impl $router<()> {
            /// A router without state.
            #[must_use]
            pub fn new() -> Self {
                Self::with_state(())
            }
        }

        impl Default for $router<()> {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<S: Clone + Send + Sync + 'static> tower::Service<crate::Invocation> for $router<S> {
            type Response = crate::Reply;
            type Error = crate::Error;
            type Future =
                futures_util::future::BoxFuture<'static, Result<crate::Reply, crate::Error>>;

            /// Always ready: a router holds no resource that could be exhausted.
            fn poll_ready(
                &mut self,
                _cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<Result<(), crate::Error>> {
                std::task::Poll::Ready(Ok(()))
            }

            fn call(&mut self, inv: crate::Invocation) -> Self::Future {
                Box::pin(self.clone().serve(inv))
            }
        }
    };
}

pub(crate) use router_service;
