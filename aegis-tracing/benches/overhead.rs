//! What the trace, log and metrics layers add to one invocation, in process.
//!
//! Run with `cargo bench -p aegis-tracing --bench overhead`. Each case invokes the same app,
//! with and without `TraceLayer` + `MetricsLayer`, through `EventDemux::invoke` on a
//! current-thread runtime, with JSON logs at INFO written to a sink and no exporter. The
//! subscriber is installed in both cases, so the difference is the layers' own cost: the span,
//! the summary line, the EMF document.

#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::lambda_runtime::Context;
use aegis_core::{App, Ctx, EventDemux, RpcRouter, SqsRouter};
use aegis_tracing::{MetricsLayer, Telemetry, TraceLayer};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const RPC: &[u8] = br#"{"aegis_rpc":1,"method":"add","args":{"a":1,"b":2}}"#;
const SQS: &[u8] = br#"{"Records":[
  {"messageId":"m-1","receiptHandle":"r","body":"one","attributes":{},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders","awsRegion":"eu-west-1"},
  {"messageId":"m-2","receiptHandle":"r","body":"two","attributes":{},"messageAttributes":{},"eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders","awsRegion":"eu-west-1"}
]}"#;

#[derive(serde::Deserialize)]
struct Add {
    a: i64,
    b: i64,
}

/// Which layers an app is built with.
#[derive(Clone, Copy)]
enum Layers {
    None,
    Trace,
    Metrics,
    Both,
}

impl Layers {
    fn label(self) -> &'static str {
        match self {
            Self::None => "without",
            Self::Trace => "trace only",
            Self::Metrics => "metrics only",
            Self::Both => "with layers",
        }
    }
}

fn app(layers: Layers) -> EventDemux {
    let rpc = RpcRouter::new().method("add", |args: Add, _ctx: Ctx| async move {
        Ok::<_, std::convert::Infallible>(args.a + args.b)
    });
    let sqs = SqsRouter::new().queue("orders", |_: SqsMessage, _ctx: Ctx| async {
        Ok::<_, String>(())
    });
    let app = App::new("bench").rpc(rpc).sqs(sqs);
    let app = match layers {
        Layers::Metrics | Layers::Both => {
            app.layer(MetricsLayer::new("bench").writer_with(std::io::sink))
        }
        Layers::None | Layers::Trace => app,
    };
    let app = match layers {
        Layers::Trace | Layers::Both => app.layer(TraceLayer::new()),
        Layers::None | Layers::Metrics => app,
    };
    app.build().unwrap()
}

fn overhead(c: &mut Criterion) {
    let (dispatch, _guard) = Telemetry::from_env()
        .json()
        .writer_with(std::io::sink)
        .into_dispatch();
    tracing::dispatcher::set_global_default(dispatch).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut context = Context::default();
    context.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".to_owned();
    context.xray_trace_id = Some(
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1".to_owned(),
    );

    let mut group = c.benchmark_group("invocation");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    for (name, payload) in [("rpc", RPC), ("sqs", SQS)] {
        for layers in [Layers::None, Layers::Trace, Layers::Metrics, Layers::Both] {
            let demux = app(layers);
            group.bench_function(BenchmarkId::new(name, layers.label()), |b| {
                b.iter(|| {
                    rt.block_on(demux.invoke(bytes::Bytes::from_static(payload), context.clone()))
                        .unwrap()
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
