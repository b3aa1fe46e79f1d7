//! EventBridge schedule expressions: `rate(5 minutes)` and `cron(0 12 * * ? *)`, checked the way
//! EventBridge checks them, so a bad expression fails when the app is built rather than at
//! deploy time.

use std::fmt;

/// A valid EventBridge schedule expression.
///
/// ```
/// use aegis_core::ScheduleExpression;
///
/// assert!("rate(5 minutes)".parse::<ScheduleExpression>().is_ok());
/// assert!("cron(0 3 * * ? *)".parse::<ScheduleExpression>().is_ok());
/// // EventBridge wants the singular for 1 and the plural otherwise.
/// assert!("rate(5 minute)".parse::<ScheduleExpression>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScheduleExpression {
    /// `rate(value unit)`.
    Rate {
        /// How many units between runs, at least 1.
        value: u32,
        /// The unit.
        unit: RateUnit,
    },
    /// `cron(minutes hours day-of-month month day-of-week year)`, times in UTC.
    Cron {
        /// The six fields, as written.
        fields: [String; 6],
    },
}

/// The unit of a `rate(...)` expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    Days,
}

impl RateUnit {
    /// The length of one unit in seconds.
    #[must_use]
    pub const fn seconds(self) -> u64 {
        match self {
            Self::Minutes => 60,
            Self::Hours => 3_600,
            Self::Days => 86_400,
        }
    }
}

/// Why a schedule expression is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSchedule {
    expression: String,
    reason: String,
}

impl InvalidSchedule {
    fn new(expression: &str, reason: impl Into<String>) -> Self {
        Self {
            expression: expression.to_owned(),
            reason: reason.into(),
        }
    }

    /// The expression as written.
    #[must_use]
    pub fn expression(&self) -> &str {
        &self.expression
    }
}

impl fmt::Display for InvalidSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid schedule expression: {}",
            self.expression, self.reason
        )
    }
}

impl std::error::Error for InvalidSchedule {}

impl std::str::FromStr for ScheduleExpression {
    type Err = InvalidSchedule;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(body) = s.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
            parse_rate(s, body)
        } else if let Some(body) = s.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
            parse_cron(s, body)
        } else {
            Err(InvalidSchedule::new(
                s,
                "expected `rate(...)` or `cron(...)`",
            ))
        }
    }
}

impl fmt::Display for ScheduleExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rate { value, unit } => {
                let name = match unit {
                    RateUnit::Minutes => "minute",
                    RateUnit::Hours => "hour",
                    RateUnit::Days => "day",
                };
                let plural = if *value == 1 { "" } else { "s" };
                write!(f, "rate({value} {name}{plural})")
            }
            Self::Cron { fields } => write!(f, "cron({})", fields.join(" ")),
        }
    }
}

fn parse_rate(whole: &str, body: &str) -> Result<ScheduleExpression, InvalidSchedule> {
    let mut parts = body.split(' ');
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(InvalidSchedule::new(whole, "a rate is `rate(value unit)`"));
    };
    let value: u32 = value
        .parse()
        .map_err(|_| InvalidSchedule::new(whole, format!("`{value}` is not a positive integer")))?;
    if value == 0 {
        return Err(InvalidSchedule::new(whole, "the rate must be at least 1"));
    }
    let (unit, singular) = match unit {
        "minute" => (RateUnit::Minutes, true),
        "minutes" => (RateUnit::Minutes, false),
        "hour" => (RateUnit::Hours, true),
        "hours" => (RateUnit::Hours, false),
        "day" => (RateUnit::Days, true),
        "days" => (RateUnit::Days, false),
        other => {
            return Err(InvalidSchedule::new(
                whole,
                format!("`{other}` is not a unit; use minutes, hours or days"),
            ))
        }
    };
    if singular != (value == 1) {
        let hint = if value == 1 { "singular" } else { "plural" };
        return Err(InvalidSchedule::new(
            whole,
            format!("a rate of {value} takes the {hint} unit"),
        ));
    }
    Ok(ScheduleExpression::Rate { value, unit })
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

#[derive(Clone, Copy)]
enum Field {
    Minutes,
    Hours,
    DayOfMonth,
    Month,
    DayOfWeek,
    Year,
}

impl Field {
    const ALL: [Field; 6] = [
        Self::Minutes,
        Self::Hours,
        Self::DayOfMonth,
        Self::Month,
        Self::DayOfWeek,
        Self::Year,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Minutes => "minutes",
            Self::Hours => "hours",
            Self::DayOfMonth => "day-of-month",
            Self::Month => "month",
            Self::DayOfWeek => "day-of-week",
            Self::Year => "year",
        }
    }

    fn range(self) -> (u32, u32) {
        match self {
            Self::Minutes => (0, 59),
            Self::Hours => (0, 23),
            Self::DayOfMonth => (1, 31),
            Self::Month => (1, 12),
            Self::DayOfWeek => (1, 7),
            Self::Year => (1970, 2199),
        }
    }

    fn value(self, text: &str) -> Option<u32> {
        let names: &[&str] = match self {
            Self::Month => &MONTHS,
            Self::DayOfWeek => &DAYS,
            _ => &[],
        };
        let named = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(text))
            .and_then(|i| u32::try_from(i + 1).ok());
        let (lo, hi) = self.range();
        named.or_else(|| text.parse().ok().filter(|v| (lo..=hi).contains(v)))
    }
}

fn parse_cron(whole: &str, body: &str) -> Result<ScheduleExpression, InvalidSchedule> {
    let parts: Vec<&str> = body.split(' ').collect();
    let Ok(fields) = <[&str; 6]>::try_from(parts.as_slice()) else {
        return Err(InvalidSchedule::new(
            whole,
            format!(
                "a cron expression has 6 fields (minutes hours day-of-month month day-of-week \
                 year), this one has {}",
                parts.len()
            ),
        ));
    };

    for (field, text) in Field::ALL.into_iter().zip(fields) {
        check_field(field, text).map_err(|reason| {
            InvalidSchedule::new(whole, format!("{} field `{text}`: {reason}", field.name()))
        })?;
    }

    let (dom, dow) = (fields[2], fields[4]);
    if (dom == "?") == (dow == "?") {
        return Err(InvalidSchedule::new(
            whole,
            "exactly one of day-of-month and day-of-week must be `?`",
        ));
    }

    Ok(ScheduleExpression::Cron {
        fields: fields.map(str::to_owned),
    })
}

fn check_field(field: Field, text: &str) -> Result<(), String> {
    if text == "?" {
        return match field {
            Field::DayOfMonth | Field::DayOfWeek => Ok(()),
            _ => Err("`?` is only allowed in day-of-month and day-of-week".to_owned()),
        };
    }
    for item in text.split(',') {
        check_item(field, item)?;
    }
    Ok(())
}

fn check_item(field: Field, item: &str) -> Result<(), String> {
    let bad = |what: &str| Err(format!("`{what}` is out of range or not understood"));
    match field {
        Field::DayOfMonth if item == "L" || item == "LW" => return Ok(()),
        Field::DayOfMonth if item.ends_with('W') => {
            return match field.value(&item[..item.len() - 1]) {
                Some(_) => Ok(()),
                None => bad(item),
            }
        }
        Field::DayOfWeek if item == "L" => return Ok(()),
        Field::DayOfWeek if item.ends_with('L') => {
            return match field.value(&item[..item.len() - 1]) {
                Some(_) => Ok(()),
                None => bad(item),
            }
        }
        Field::DayOfWeek if item.contains('#') => {
            let (day, nth) = item.split_once('#').unwrap_or((item, ""));
            return match (field.value(day), nth.parse::<u32>()) {
                (Some(_), Ok(1..=5)) => Ok(()),
                _ => bad(item),
            };
        }
        _ => {}
    }

    let (range, step) = match item.split_once('/') {
        Some((range, step)) => (range, Some(step)),
        None => (item, None),
    };
    if let Some(step) = step {
        if !step.parse::<u32>().is_ok_and(|s| s >= 1) {
            return bad(step);
        }
    }
    if range == "*" {
        return Ok(());
    }
    match range.split_once('-') {
        Some((lo, hi)) => match (field.value(lo), field.value(hi)) {
            (Some(_), Some(_)) => Ok(()),
            _ => bad(range),
        },
        None => match field.value(range) {
            Some(_) => Ok(()),
            None => bad(range),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> bool {
        s.parse::<ScheduleExpression>().is_ok()
    }

    #[test]
    fn rates_take_a_unit_that_agrees_with_their_number() {
        assert!(ok("rate(1 minute)"));
        assert!(ok("rate(5 minutes)"));
        assert!(ok("rate(1 day)"));
        assert!(!ok("rate(5 minute)"));
        assert!(!ok("rate(1 minutes)"));
        assert!(!ok("rate(0 minutes)"));
        assert!(!ok("rate(-1 minutes)"));
        assert!(!ok("rate(5 weeks)"));
        assert!(!ok("rate(5minutes)"));
    }

    #[test]
    fn cron_needs_six_fields_and_one_question_mark_between_the_days() {
        assert!(ok("cron(0 3 * * ? *)"));
        assert!(ok("cron(0/15 8-17 ? * MON-FRI *)"));
        assert!(ok("cron(0 10 L * ? 2030)"));
        assert!(ok("cron(0 10 ? * 6#3 *)"));
        assert!(ok("cron(0 10 15W * ? *)"));
        assert!(!ok("cron(0 3 * * *)"));
        assert!(!ok("cron(0 3 * * * *)"));
        assert!(!ok("cron(0 3 ? * ? *)"));
        assert!(!ok("cron(60 3 * * ? *)"));
        assert!(!ok("cron(0 24 * * ? *)"));
        assert!(!ok("cron(0 3 * FOO ? *)"));
        assert!(!ok("cron(? 3 * * ? *)"));
    }

    #[test]
    fn the_reason_names_the_bad_field() {
        let err = "cron(0 25 * * ? *)"
            .parse::<ScheduleExpression>()
            .unwrap_err();
        assert!(err.to_string().contains("hours field `25`"), "{err}");
    }

    #[test]
    fn an_expression_prints_back_as_written() {
        for s in ["rate(1 hour)", "rate(3 days)", "cron(0 3 * * ? *)"] {
            assert_eq!(s.parse::<ScheduleExpression>().unwrap().to_string(), s);
        }
    }
}
