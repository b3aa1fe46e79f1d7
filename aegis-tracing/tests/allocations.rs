//! Memory held by the layers does not grow with the number of invocations served.

#![allow(clippy::unwrap_used)]

mod support;

use std::alloc::System;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, RpcRouter, SqsRouter};
use aegis_tracing::{metrics, MetricsLayer, Telemetry, TraceLayer};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use support::{context, RPC_GET_ORDER, SQS_BATCH};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed since `region` began.
fn live(region: &Region<'_, System>) -> isize {
    let change = region.change();
    // A reallocation is already counted in both totals, by the size it grew or shrank.
    change.bytes_allocated as isize - change.bytes_deallocated as isize
}

#[test]
fn serving_more_invocations_holds_no_more_memory() {
    let (dispatch, _guard) = Telemetry::from_env()
        .json()
        .writer_with(std::io::sink)
        .into_dispatch();
    let _default = tracing::dispatcher::set_default(&dispatch);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rpc = RpcRouter::new().method("orders.get", |_: serde_json::Value, _ctx: Ctx| async {
        tracing::info!("looking the order up");
        metrics::count("OrdersRead", 1);
        Ok::<_, std::convert::Infallible>(())
    });
    let sqs = SqsRouter::new().queue("orders", |_: SqsMessage, _ctx: Ctx| async {
        Ok::<_, String>(())
    });
    let demux = App::new("shop")
        .rpc(rpc)
        .sqs(sqs)
        .layer(MetricsLayer::new("shop").writer_with(std::io::sink))
        .layer(TraceLayer::new())
        .build()
        .unwrap();
    let serve = |n: usize| {
        for _ in 0..n {
            for payload in [RPC_GET_ORDER, SQS_BATCH] {
                rt.block_on(demux.invoke(payload, context("req-1")))
                    .unwrap();
            }
        }
    };

    // The first invocations fill the per-thread buffers and the callsite registry.
    serve(100);
    let region = Region::new(ALLOCATOR);
    serve(2_000);
    let grown = live(&region);
    assert!(
        grown < 4096,
        "{grown} bytes more held after 2,000 more invocations"
    );
}
