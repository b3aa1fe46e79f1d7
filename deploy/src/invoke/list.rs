//! `aegis invoke --list`.

use serde_json::{json, Value};

use crate::config::Config;
use crate::placeholders::{self, Values, PLACEHOLDERS};
use crate::{output, samples};

/// `aegis invoke --list`: the samples, then the placeholders with their values here.
pub(super) fn list(config: Option<&Config>, json: bool) -> anyhow::Result<()> {
    let values = Values::new(config, None, None);
    let uses = |text: &'static str| placeholders::used(text).into_iter().collect::<Vec<_>>();
    if json {
        let samples: Vec<Value> = (samples::SAMPLES.iter())
            .map(|s| json!({"name": s.name, "trigger": s.trigger.as_str(), "about": s.about, "placeholders": uses(s.text)}))
            .collect();
        let placeholders: Vec<Value> = (PLACEHOLDERS.iter())
            .map(|p| json!({"name": p.name, "value": values.get(p.name), "about": p.about}))
            .collect();
        return Ok(output::line(
            &json!({"samples": samples, "placeholders": placeholders}).to_string(),
        )?);
    }
    let mut text = String::from("samples (aegis invoke NAME [--set NAME=VALUE]...):\n");
    for s in samples::SAMPLES {
        text.push_str(&format!(
            "  {:<13} {:<12} {}; sets {}\n",
            s.name,
            s.trigger.as_str(),
            s.about,
            uses(s.text).join(", ")
        ));
    }
    text.push_str("placeholders (the value used when not set):\n");
    for p in PLACEHOLDERS {
        let value = values.get(p.name).unwrap_or_default();
        text.push_str(&format!("  {:<12} {:<24} {}\n", p.name, value, p.about));
    }
    Ok(output::line(text.trim_end())?)
}
