//! The next fire time of an EventBridge `cron(...)` expression, in UTC, for local schedules.
//!
//! The six fields are minutes, hours, day-of-month, month, day-of-week (1-7 = SUN-SAT) and
//! year. Each takes `*`, `?` (in one of the two day fields), single values, names (`JAN`,
//! `MON`), ranges (`1-5`), steps (`*/15`, `10/5`, `1-20/2`) and lists of those. EventBridge's
//! `L`, `W` and `#` are refused here with a reason; the local server then fires such a task
//! only through the Invoke API. The expression was already validated when the app was built.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// How far ahead a fire time is looked for; an expression with none in that span never fires.
const HORIZON_DAYS: u32 = 366 * 5;

/// A set of values of one field, `lo..lo + 256`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Set {
    lo: u32,
    bits: [u64; 4],
}

impl Set {
    fn contains(&self, value: u32) -> bool {
        value
            .checked_sub(self.lo)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|i| *i < 256)
            .is_some_and(|i| self.bits[i / 64] & (1 << (i % 64)) != 0)
    }

    fn insert(&mut self, value: u32) {
        if let Some(i) = value
            .checked_sub(self.lo)
            .and_then(|i| usize::try_from(i).ok())
        {
            if i < 256 {
                self.bits[i / 64] |= 1 << (i % 64);
            }
        }
    }
}

/// A parsed cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cron {
    minutes: Set,
    hours: Set,
    /// `None` for `?`.
    days_of_month: Option<Set>,
    months: Set,
    /// `None` for `?`; 1 is Sunday.
    days_of_week: Option<Set>,
    years: Set,
}

impl Cron {
    /// Parses the six fields of a `cron(...)` expression.
    pub(crate) fn parse(fields: &[String; 6]) -> Result<Self, String> {
        let optional = |text: &str, lo, hi, names: &[&str]| {
            if text == "?" {
                Ok(None)
            } else {
                field(text, lo, hi, names).map(Some)
            }
        };
        Ok(Self {
            minutes: field(&fields[0], 0, 59, &[])?,
            hours: field(&fields[1], 0, 23, &[])?,
            days_of_month: optional(&fields[2], 1, 31, &[])?,
            months: field(&fields[3], 1, 12, &MONTHS)?,
            days_of_week: optional(&fields[4], 1, 7, &DAYS)?,
            years: field(&fields[5], 1970, 2199, &[])?,
        })
    }

    /// The first fire time strictly after `now`, within [`HORIZON_DAYS`].
    pub(crate) fn next_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let start = now.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let mut date = start.date_naive();
        for _ in 0..HORIZON_DAYS {
            if self.runs_on(date) {
                let (from_hour, from_minute) = if date == start.date_naive() {
                    (start.hour(), start.minute())
                } else {
                    (0, 0)
                };
                if let Some(at) = self.first_time(date, from_hour, from_minute) {
                    return Some(at);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    fn runs_on(&self, date: NaiveDate) -> bool {
        let year = u32::try_from(date.year()).unwrap_or(0);
        let weekday = date.weekday().num_days_from_sunday() + 1;
        self.years.contains(year)
            && self.months.contains(date.month())
            && self
                .days_of_month
                .as_ref()
                .is_none_or(|d| d.contains(date.day()))
            && self
                .days_of_week
                .as_ref()
                .is_none_or(|d| d.contains(weekday))
    }

    fn first_time(
        &self,
        date: NaiveDate,
        from_hour: u32,
        from_minute: u32,
    ) -> Option<DateTime<Utc>> {
        let hour = (from_hour..24).find(|h| self.hours.contains(*h))?;
        let from = if hour == from_hour { from_minute } else { 0 };
        match (from..60).find(|m| self.minutes.contains(*m)) {
            Some(minute) => Some(Utc.from_utc_datetime(&date.and_hms_opt(hour, minute, 0)?)),
            // No minute left in this hour: the next matching hour, from its first minute.
            None if hour < 23 => self.first_time(date, hour + 1, 0),
            None => None,
        }
    }
}

/// Parses one field: a comma-separated list of `*`, values, ranges and steps.
fn field(text: &str, lo: u32, hi: u32, names: &[&str]) -> Result<Set, String> {
    if text.contains(['L', 'W', '#']) && !names.iter().any(|n| text.contains(n)) {
        return Err(format!(
            "`{text}` uses `L`, `W` or `#`, which the local server does not compute"
        ));
    }
    let value = |v: &str| -> Result<u32, String> {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(v))
            .and_then(|i| u32::try_from(i + 1).ok())
            .or_else(|| v.parse().ok())
            .filter(|v| (lo..=hi).contains(v))
            .ok_or_else(|| format!("`{v}` is not a value from {lo} to {hi}"))
    };

    let mut set = Set { lo, bits: [0; 4] };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().map_err(|e| e.to_string())?),
            None => (part, 1),
        };
        let (from, to) = match range.split_once('-') {
            _ if range == "*" => (lo, hi),
            Some((a, b)) => (value(a)?, value(b)?),
            // `10/5` runs from 10 to the end of the field; `10` alone is just 10.
            None if step > 1 || part.contains('/') => (value(range)?, hi),
            None => (value(range)?, value(range)?),
        };
        if step == 0 || from > to {
            return Err(format!("`{part}` is an empty range"));
        }
        (from..=to)
            .step_by(step as usize)
            .for_each(|v| set.insert(v));
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cron(expression: &str) -> Cron {
        let fields: Vec<String> = expression.split(' ').map(str::to_owned).collect();
        Cron::parse(&fields.try_into().unwrap()).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_daily_time_is_the_next_of_that_time() {
        let next = cron("0 3 * * ? *").next_after(at("2024-05-01T04:00:00Z"));
        assert_eq!(next, Some(at("2024-05-02T03:00:00Z")));
    }

    #[test]
    fn steps_and_lists_in_minutes() {
        let c = cron("5,*/20 * * * ? *");
        assert_eq!(
            c.next_after(at("2024-05-01T10:05:30Z")),
            Some(at("2024-05-01T10:20:00Z"))
        );
        assert_eq!(
            c.next_after(at("2024-05-01T10:41:00Z")),
            Some(at("2024-05-01T11:00:00Z"))
        );
    }

    #[test]
    fn weekdays_count_from_sunday() {
        // 2024-05-01 is a Wednesday; MON-FRI at 9:30, and 2 is Monday.
        let weekdays = cron("30 9 ? * MON-FRI *");
        assert_eq!(
            weekdays.next_after(at("2024-05-03T10:00:00Z")),
            Some(at("2024-05-06T09:30:00Z"))
        );
        assert_eq!(cron("30 9 ? * 2 *"), weekdays_only_monday());
    }

    fn weekdays_only_monday() -> Cron {
        cron("30 9 ? * MON *")
    }

    #[test]
    fn months_and_years_narrow_the_days() {
        let c = cron("0 0 29 FEB ? 2025-2030");
        assert_eq!(
            c.next_after(at("2024-01-01T00:00:00Z")),
            Some(at("2028-02-29T00:00:00Z"))
        );
    }

    #[test]
    fn last_day_syntax_is_refused_with_a_reason() {
        let fields = ["0", "0", "L", "*", "?", "*"].map(str::to_owned);
        assert!(Cron::parse(&fields).unwrap_err().contains("`L`"));
    }
}
