//! CloudWatch Embedded Metric Format documents: how a set of metrics becomes the JSON lines
//! CloudWatch Logs turns into metrics.
//!
//! A document is one JSON object with the `_aws` metadata (a millisecond `Timestamp` and the
//! `CloudWatchMetrics` directives, each a `Namespace`, its `Dimensions` sets and its
//! `Metrics`), and every dimension and metric it names as a top-level member. The format caps
//! a directive at 100 metrics, a dimension set at 30 dimensions and a metric at 100 values;
//! metrics past the first cap go to a second document, values past the last to the next
//! documents, and dimensions past 30 are dropped, with a debug message.

use super::Unit;

/// The most metrics one document carries.
pub(crate) const MAX_METRICS: usize = 100;
/// The most dimensions in one dimension set.
pub(crate) const MAX_DIMENSIONS: usize = 30;
/// The most values one metric carries in one document.
pub(crate) const MAX_VALUES: usize = 100;

/// A metric to write, with the index of the dimension set it is reported under. Set 0 is the
/// invocation's own, whose names are known not to clash.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub(crate) name: &'a str,
    pub(crate) unit: Unit,
    pub(crate) values: &'a [f64],
    pub(crate) set: usize,
}

/// What every document of one invocation shares.
#[derive(Debug)]
pub(crate) struct Frame<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) timestamp_ms: u64,
    /// Dimension sets, each a list of names and values; the first is the invocation's own.
    pub(crate) sets: &'a [&'a [(&'a str, &'a str)]],
    /// Members searchable in the logs that are not dimensions (`request_id`).
    pub(crate) properties: &'a [(&'a str, &'a str)],
}

/// Writes the documents for `entries`, one line each, into `out`.
pub(crate) fn write_documents(out: &mut Vec<u8>, frame: &Frame<'_>, entries: &[Entry<'_>]) {
    let taken = |name: &str| {
        frame.properties.iter().any(|(n, _)| *n == name)
            || frame
                .sets
                .iter()
                .flat_map(|s| s.iter())
                .any(|(n, _)| *n == name)
    };
    let fits_one = entries.len() <= MAX_METRICS
        && entries.iter().enumerate().all(|(i, e)| {
            e.values.len() <= MAX_VALUES
                && (e.set == 0 || (!taken(e.name) && entries[..i].iter().all(|o| o.name != e.name)))
        });
    if fits_one {
        write_document(out, frame, entries);
        return;
    }

    // Pack pieces (a metric's values, 100 at a time) into documents, no name twice in one.
    let mut documents: Vec<Vec<Entry<'_>>> = Vec::new();
    for entry in entries {
        if entry.set != 0 && taken(entry.name) {
            tracing::debug!(
                metric = entry.name,
                "metric named like a dimension; dropped"
            );
            continue;
        }
        for values in entry.values.chunks(MAX_VALUES) {
            let piece = Entry { values, ..*entry };
            let slot = documents.iter().position(|doc| {
                doc.len() < MAX_METRICS && doc.iter().all(|e| e.name != entry.name)
            });
            match slot {
                Some(i) => documents[i].push(piece),
                None => documents.push(vec![piece]),
            }
        }
    }
    for doc in &documents {
        write_document(out, frame, doc);
    }
}

fn write_document(out: &mut Vec<u8>, frame: &Frame<'_>, doc: &[Entry<'_>]) {
    let used = |set: usize| doc.iter().any(|e| e.set == set);

    out.extend_from_slice(b"{\"_aws\":{\"Timestamp\":");
    let _ = serde_json::to_writer(&mut *out, &frame.timestamp_ms);
    out.extend_from_slice(b",\"CloudWatchMetrics\":[");
    let mut first_directive = true;
    for (i, set) in frame.sets.iter().enumerate().filter(|(i, _)| used(*i)) {
        if !first_directive {
            out.push(b',');
        }
        first_directive = false;
        out.extend_from_slice(b"{\"Namespace\":");
        string(out, frame.namespace);
        out.extend_from_slice(b",\"Dimensions\":[[");
        for (j, (name, _)) in set.iter().take(MAX_DIMENSIONS).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            string(out, name);
        }
        out.extend_from_slice(b"]],\"Metrics\":[");
        for (j, entry) in doc.iter().filter(|e| e.set == i).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"Name\":");
            string(out, entry.name);
            out.extend_from_slice(b",\"Unit\":\"");
            out.extend_from_slice(entry.unit.as_str().as_bytes());
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"]}");

    // Dimension values: a name in two used sets is written once (both sets share its value).
    let used_sets = frame.sets.iter().enumerate().filter(|(i, _)| used(*i));
    let members = used_sets
        .flat_map(|(_, set)| set.iter().take(MAX_DIMENSIONS))
        .chain(frame.properties.iter());
    for (k, (name, value)) in members.enumerate() {
        let repeated = frame
            .sets
            .iter()
            .enumerate()
            .filter(|(i, _)| used(*i))
            .flat_map(|(_, set)| set.iter().take(MAX_DIMENSIONS))
            .chain(frame.properties.iter())
            .take(k)
            .any(|(n, _)| n == name);
        if !repeated {
            out.push(b',');
            string(out, name);
            out.push(b':');
            string(out, value);
        }
    }

    for entry in doc {
        out.push(b',');
        string(out, entry.name);
        out.push(b':');
        match entry.values {
            [one] => number(out, *one),
            many => {
                out.push(b'[');
                for (i, v) in many.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    number(out, *v);
                }
                out.push(b']');
            }
        }
    }
    out.extend_from_slice(b"}\n");
}

fn string(out: &mut Vec<u8>, s: &str) {
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A number as JSON; whole numbers without a fraction, and non-finite ones (which JSON cannot
/// say) as 0.
fn number(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        out.push(b'0');
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        #[allow(clippy::cast_possible_truncation, reason = "whole and below 2^53")]
        let whole = v as i64;
        let _ = serde_json::to_writer(&mut *out, &whole);
    } else {
        let _ = serde_json::to_writer(&mut *out, &v);
    }
}
