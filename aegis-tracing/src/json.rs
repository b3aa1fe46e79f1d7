//! [`JsonLayer`]: one JSON object per event, one line each, with the fields of the event and of
//! every span around it flattened to the top level.
//!
//! tracing-subscriber's own JSON format nests the spans in a list; CloudWatch Logs Insights and
//! Lambda's JSON log format want flat keys (`trigger`, `route`, `request_id`) on every line,
//! so this layer writes its own. Each line has `timestamp` (RFC 3339, milliseconds, UTC),
//! `level`, `target` and `message`, then the event's fields, then the fields of its spans from
//! the innermost out; a key already written is not written again, so the nearer value wins.
//!
//! Span fields with a dot in their name (`faas.trigger`, `cloud.region`, `otel.kind`) are the
//! OpenTelemetry attributes meant for a trace backend, the same on every line of a process, and
//! are not copied into logs. A field an event names but gives no value (`route = None`) is
//! written as `null`, so a line's keys do not depend on its values. Fields named like
//! credentials are written as `"[REDACTED]"`. A line that fails to write is lost: logging never
//! fails an invocation.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use serde_json::Value;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use crate::redact::{is_sensitive, REDACTED};

/// Writes every event as one flat JSON line.
///
/// Each line has `timestamp` (RFC 3339, milliseconds, UTC), `level`, `target` and `message`,
/// then the event's fields, then the fields of its spans from the innermost out; a key already
/// written is not written again, so the nearer value wins. Span fields with a dot in their
/// name (the OpenTelemetry attributes, `faas.trigger`, `cloud.region`) are left to the trace
/// exporter. A field an event names without a value is `null`; fields named like credentials
/// are `"[REDACTED]"` (see [`is_sensitive`](crate::is_sensitive)).
#[must_use]
pub struct JsonLayer<W = fn() -> io::Stdout> {
    make_writer: W,
}

impl JsonLayer {
    /// Writes to stdout, where Lambda collects a function's logs.
    pub fn new() -> Self {
        Self {
            make_writer: io::stdout,
        }
    }
}

impl Default for JsonLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl<W> JsonLayer<W> {
    /// Writes to the writers `make_writer` makes instead, one call of `write_all` per line.
    pub fn writer_with<W2>(self, make_writer: W2) -> JsonLayer<W2>
    where
        W2: for<'w> MakeWriter<'w> + 'static,
    {
        JsonLayer { make_writer }
    }
}

impl<W> fmt::Debug for JsonLayer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLayer")
            .field("make_writer", &std::any::type_name::<W>())
            .finish()
    }
}

/// The fields of one span, as they will be written.
struct SpanFields(Vec<(&'static str, Value)>);

/// Per-thread buffers, so writing a line allocates nothing once they have grown.
#[derive(Default)]
struct Scratch {
    line: Vec<u8>,
    /// The event's own members, written as they are visited.
    fields: Vec<u8>,
    message: String,
    debug: String,
    written: Vec<&'static str>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl<S, W> Layer<S> for JsonLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = Vec::new();
        attrs.record(&mut SpanVisitor(&mut fields));
        span.extensions_mut().insert(SpanFields(fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
            values.record(&mut SpanVisitor(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        SCRATCH.with(|scratch| {
            // A writer that logs would re-enter here; that line gets buffers of its own.
            let mut fresh = Scratch::default();
            let mut borrowed = scratch.try_borrow_mut();
            let scratch = borrowed.as_deref_mut().unwrap_or(&mut fresh);
            format_event(scratch, event, &ctx);
            let mut writer = self.make_writer.make_writer_for(event.metadata());
            let _ = writer.write_all(&scratch.line);
        });
    }
}

fn format_event<S>(scratch: &mut Scratch, event: &Event<'_>, ctx: &Context<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let Scratch {
        line,
        fields,
        message,
        debug,
        written,
    } = scratch;
    line.clear();
    fields.clear();
    message.clear();
    written.clear();
    written.extend(["timestamp", "level", "target", "message"]);

    event.record(&mut EventVisitor {
        fields,
        message,
        debug,
        written,
    });
    for field in event.metadata().fields() {
        if !written.contains(&field.name()) {
            written.push(field.name());
            member(fields, field.name());
            fields.extend_from_slice(b"null");
        }
    }

    let meta = event.metadata();
    line.extend_from_slice(b"{\"timestamp\":\"");
    timestamp::write_now(line);
    line.extend_from_slice(b"\",\"level\":\"");
    line.extend_from_slice(meta.level().as_str().as_bytes());
    line.extend_from_slice(b"\",\"target\":");
    write_json(line, meta.target());
    line.extend_from_slice(b",\"message\":");
    write_json(line, message.as_str());
    line.extend_from_slice(fields);

    if let Some(scope) = ctx.event_scope(event) {
        for span in scope {
            let extensions = span.extensions();
            let Some(SpanFields(span_fields)) = extensions.get::<SpanFields>() else {
                continue;
            };
            for (name, value) in span_fields {
                if !written.contains(name) {
                    written.push(name);
                    member(line, name);
                    let _ = serde_json::to_writer(&mut *line, value);
                }
            }
        }
    }
    line.extend_from_slice(b"}\n");
}

/// Starts the member `name`: a comma, the key and a colon.
fn member(out: &mut Vec<u8>, name: &str) {
    out.push(b',');
    write_json(out, name);
    out.push(b':');
}

fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let _ = serde_json::to_writer(&mut *out, value);
}

/// The value written for `value` under `name`.
fn value_of(name: &str, value: Value) -> Value {
    if is_sensitive(name) {
        Value::from(REDACTED)
    } else {
        value
    }
}

fn upsert(fields: &mut Vec<(&'static str, Value)>, name: &'static str, value: Value) {
    let value = value_of(name, value);
    match fields.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = value,
        None => fields.push((name, value)),
    }
}

/// Collects span fields, leaving out the dotted OpenTelemetry attributes.
struct SpanVisitor<'a>(&'a mut Vec<(&'static str, Value)>);

impl SpanVisitor<'_> {
    /// Whether `field` already holds the text `value`, as a route recorded twice does.
    fn holds(&self, field: &Field, value: &str) -> bool {
        self.0
            .iter()
            .any(|(n, v)| *n == field.name() && v.as_str() == Some(value))
    }

    fn put(&mut self, field: &Field, value: Value) {
        if !field.name().contains('.') {
            upsert(self.0, field.name(), value);
        }
    }

    fn put_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if !field.name().contains('.') {
            self.put(field, Value::from(format!("{value:?}")));
        }
    }
}

/// Writes event fields straight into the line, with `message` apart.
struct EventVisitor<'a> {
    fields: &'a mut Vec<u8>,
    message: &'a mut String,
    debug: &'a mut String,
    written: &'a mut Vec<&'static str>,
}

impl EventVisitor<'_> {
    /// Starts the member for `field`, or says to skip it: a repeated name keeps its first value.
    fn start(&mut self, field: &Field) -> bool {
        if self.written.contains(&field.name()) {
            return false;
        }
        self.written.push(field.name());
        member(self.fields, field.name());
        if is_sensitive(field.name()) {
            write_json(self.fields, REDACTED);
            return false;
        }
        true
    }

    fn put<T: serde::Serialize + ?Sized>(&mut self, field: &Field, value: &T) {
        if self.start(field) {
            write_json(self.fields, value);
        }
    }

    fn put_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if self.start(field) {
            self.debug.clear();
            let _ = write!(self.debug, "{value:?}");
            write_json(self.fields, self.debug.as_str());
        }
    }
}

impl Visit for EventVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.put(field, value);
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, &value);
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, &value);
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, &value);
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, &value);
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put_debug(field, &format_args!("{value}"));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put_debug(field, value);
    }
}

/// Span values: numbers and booleans stay JSON numbers and booleans, everything else is
/// written as text.
impl Visit for SpanVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.holds(field, value) {
            self.put(field, Value::from(value));
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put_debug(field, value);
    }
}

/// RFC 3339 timestamps in UTC with milliseconds, the date and time formatted once a second.
mod timestamp {
    use std::cell::RefCell;
    use std::io::Write as _;
    use std::time::{SystemTime, UNIX_EPOCH};

    thread_local! {
        static SECOND: RefCell<(u64, Vec<u8>)> = const { RefCell::new((u64::MAX, Vec::new())) };
    }

    pub(super) fn write_now(out: &mut Vec<u8>) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let (secs, millis) = (now.as_secs(), now.subsec_millis());
        SECOND.with(|second| {
            let mut second = second.borrow_mut();
            if second.0 != secs {
                second.1.clear();
                let at = i64::try_from(secs)
                    .ok()
                    .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                    .unwrap_or_default();
                let _ = write!(second.1, "{}", at.format("%Y-%m-%dT%H:%M:%S"));
                second.0 = secs;
            }
            out.extend_from_slice(&second.1);
        });
        let _ = write!(out, ".{millis:03}Z");
    }
}
