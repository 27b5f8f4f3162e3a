//! Times a front end is given for where a log or the events start or end, written as the
//! Docker CLI takes them: a duration back from now (`90s`, `10m`, `1h30m`, `2d`), a unix time
//! (`1700000000`, fractions allowed), an RFC 3339 time (`2026-11-30T10:00:00Z`), or a date or
//! a date and time without a zone (`2026-11-30`, `2026-11-30T10:00:00`), read as UTC.

use crate::error::{Error, Result};

/// The unix second `text` names, `now` being the current unix second. Refused, naming
/// `field`, when it is none of the forms above.
pub fn unix_seconds(text: &str, now: i64, field: &str) -> Result<i64> {
    let text = text.trim();
    let refused = || {
        Error::InvalidInput(format!(
            "{text:?} is not a time: write a duration back from now (10m, 1h30m, 2d), a unix time, a date (UTC) or an RFC 3339 time"
        ))
        .in_field(field)
    };
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        return Ok(at.unix_timestamp());
    }
    let date_time =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    if let Ok(at) = time::PrimitiveDateTime::parse(text, &date_time) {
        return Ok(at.assume_utc().unix_timestamp());
    }
    let date = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(day) = time::Date::parse(text, &date) {
        return Ok(day.midnight().assume_utc().unix_timestamp());
    }
    let whole = text.split_once('.').map_or(text, |(whole, fraction)| {
        if fraction.chars().all(|c| c.is_ascii_digit()) {
            whole
        } else {
            ""
        }
    });
    if !whole.is_empty() && whole.chars().all(|c| c.is_ascii_digit()) {
        return whole.parse().map_err(|_| refused());
    }
    let mut seconds: i64 = 0;
    let mut units = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(refused()),
        };
        let n: i64 = number.parse().map_err(|_| refused())?;
        seconds = n
            .checked_mul(unit)
            .and_then(|s| seconds.checked_add(s))
            .ok_or_else(refused)?;
        number.clear();
        units += 1;
    }
    if !number.is_empty() || units == 0 {
        return Err(refused());
    }
    Ok(now - seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_durations_unix_and_rfc3339_times() {
        let now = 1_700_000_000;
        let at = |text| unix_seconds(text, now, "since").unwrap();
        assert_eq!(at("10m"), now - 600);
        assert_eq!(at("1h30m"), now - 5400);
        assert_eq!(at("2d"), now - 172_800);
        assert_eq!(at("1699999000"), 1_699_999_000);
        assert_eq!(at("1699999000.5"), 1_699_999_000);
        assert_eq!(at("2023-11-14T22:13:20Z"), 1_700_000_000);
        assert_eq!(at("2023-11-14T22:13:20"), 1_700_000_000, "no zone: UTC");
        assert_eq!(at("2023-11-14"), 1_699_920_000);
        assert_eq!(at("0m"), now);
        for bad in ["", "m", "10x", "yesterday", "1.5h", "-5m"] {
            let err = unix_seconds(bad, now, "since").unwrap_err();
            assert_eq!(err.field(), Some("since"), "{bad}");
        }
    }
}
