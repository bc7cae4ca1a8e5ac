//! proto3 JSON durations: seconds with an `s` suffix, e.g. `"3600s"` or `"3599.5s"`.

use std::time::Duration;

/// Parses a non-negative proto3 JSON duration. `None` for anything else (no suffix, a sign,
/// an exponent, more than 9 fractional digits, or more than ten thousand years).
pub fn parse_proto_duration(text: &str) -> Option<Duration> {
    const MAX_SECS: u64 = 315_576_000_000; // the proto Duration limit
    let number = text.strip_suffix('s')?;
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) || number.ends_with('.') {
        return None;
    }
    let secs: u64 = whole.parse().ok()?;
    if secs > MAX_SECS {
        return None;
    }
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    Some(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_zitadel_expirations() {
        assert_eq!(
            parse_proto_duration("3600s"),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            parse_proto_duration("3599.5s"),
            Some(Duration::from_millis(3_599_500))
        );
        assert_eq!(
            parse_proto_duration("0.000000001s"),
            Some(Duration::from_nanos(1))
        );
        assert_eq!(parse_proto_duration("0s"), Some(Duration::ZERO));
    }

    #[test]
    fn refuses_what_is_not_a_duration() {
        for bad in [
            "",
            "s",
            "3600",
            "-1s",
            "+1s",
            "1e3s",
            "1.s",
            ".5s",
            "1.0000000001s",
            "3600 s",
            "3600S",
            "1h",
        ] {
            assert_eq!(parse_proto_duration(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trips_whole_and_fractional_seconds(secs in 0u64..10_000_000, nanos in 0u32..1_000_000_000) {
            let text = format!("{secs}.{nanos:09}s");
            prop_assert_eq!(parse_proto_duration(&text), Some(Duration::new(secs, nanos)));
            prop_assert_eq!(parse_proto_duration(&format!("{secs}s")), Some(Duration::from_secs(secs)));
        }

        #[test]
        fn never_panics(text in ".*") {
            let _ = parse_proto_duration(&text);
        }
    }
}
