//! A checker of CloudWatch's embedded metric format, written from the specification
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html>)
//! rather than from any output of aegis, for tests that read EMF documents.

use serde_json::Value;

/// The units the specification allows.
const UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];

/// Checks one EMF document against the specification and returns its problems, one sentence
/// each; an empty list for a valid document.
pub fn emf_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(root) = doc.as_object() else {
        return vec!["the document is not an object".into()];
    };
    let Some(aws) = root.get("_aws").and_then(Value::as_object) else {
        return vec!["no `_aws` object".into()];
    };
    if !aws.get("Timestamp").is_some_and(Value::is_u64) {
        problems.push("`Timestamp` is not a non-negative integer of milliseconds".into());
    }
    let Some(directives) = aws.get("CloudWatchMetrics").and_then(Value::as_array) else {
        problems.push("`CloudWatchMetrics` is not an array".into());
        return problems;
    };
    for directive in directives {
        if !directive["Namespace"]
            .as_str()
            .is_some_and(|n| !n.is_empty() && n.len() <= 1024)
        {
            problems.push(format!("bad Namespace in {directive}"));
        }
        let Some(sets) = directive["Dimensions"].as_array() else {
            problems.push(format!("`Dimensions` is not an array in {directive}"));
            continue;
        };
        for set in sets {
            let Some(names) = set.as_array() else {
                problems.push(format!("a dimension set is not an array: {set}"));
                continue;
            };
            if names.len() > 30 {
                problems.push(format!("a dimension set has {} dimensions", names.len()));
            }
            for name in names {
                match name.as_str().and_then(|n| root.get(n)) {
                    Some(Value::String(v)) if !v.is_empty() => {}
                    _ => problems.push(format!("dimension {name} is not a top-level string")),
                }
            }
        }
        let Some(metrics) = directive["Metrics"].as_array() else {
            problems.push(format!("`Metrics` is not an array in {directive}"));
            continue;
        };
        if metrics.len() > 100 {
            problems.push(format!("a directive has {} metrics", metrics.len()));
        }
        for metric in metrics {
            let Some(name) = metric["Name"].as_str() else {
                problems.push(format!("a metric has no Name: {metric}"));
                continue;
            };
            if let Some(unit) = metric.get("Unit") {
                if !unit.as_str().is_some_and(|u| UNITS.contains(&u)) {
                    problems.push(format!("metric {name} has the unit {unit}"));
                }
            }
            match root.get(name) {
                Some(Value::Number(_)) => {}
                Some(Value::Array(values))
                    if values.len() <= 100 && values.iter().all(Value::is_number) => {}
                other => problems.push(format!("metric {name} has the value {other:?}")),
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validator_finds_what_the_specification_forbids() {
        let bad = serde_json::json!({
            "_aws": {"Timestamp": "now", "CloudWatchMetrics": [{
                "Namespace": "N",
                "Dimensions": [["missing"]],
                "Metrics": [{"Name": "Absent", "Unit": "Furlongs"}]
            }]}
        });
        assert_eq!(emf_problems(&bad).len(), 4, "{:?}", emf_problems(&bad));
    }
}
