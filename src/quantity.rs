//! Kubernetes resource quantities (`500m`, `128Mi`, `1e3`, `0.5`), parsed exactly.
//!
//! The grammar is the API server's:
//! `<sign>?<digits>[.<digits>]<suffix>` where the suffix is a binary SI unit
//! (`Ki` … `Ei`), a decimal SI unit (`n`, `u`, `m`, ``, `k`, `M`, `G`, `T`, `P`, `E`) or
//! a decimal exponent (`e3`, `E-2`). Values are held as a whole number of nano-units in
//! an `i128`, which covers every quantity the API server stores (it caps them near 2^63
//! milli-units) with room to spare; anything larger is rejected instead of wrapping.
//! Precision below one nano-unit rounds up, as the API server does.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A parsed quantity, in nano-units (10^-9 of the base unit: cores, bytes, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    nanos: i128,
}

/// Why a quantity string is not a valid Kubernetes quantity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("is empty")]
    Empty,
    #[error("has no digits")]
    NoDigits,
    #[error("has an unknown suffix {0:?} (expected one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent like e3)")]
    UnknownSuffix(String),
    #[error("is too large to represent")]
    Overflow,
    #[error("is negative")]
    Negative,
}

/// Longest digit string accepted before the suffix: more cannot matter for any real
/// resource and would only risk overflow.
const MAX_DIGITS: usize = 40;

/// 10^0 to 10^38, every power of ten an i128 holds.
// Built at compile time, where an index out of bounds fails the build.
#[allow(clippy::indexing_slicing)]
const POWERS_OF_TEN: [i128; 39] = {
    let mut powers = [1i128; 39];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

impl Quantity {
    /// The value in nano-units.
    pub fn nanos(self) -> i128 {
        self.nanos
    }

    /// The value as a float, for ratios and percentages.
    pub fn as_f64(self) -> f64 {
        self.nanos as f64 / 1e9
    }

    pub fn from_nanos(nanos: i128) -> Self {
        Quantity { nanos }
    }

    pub fn is_zero(self) -> bool {
        self.nanos == 0
    }

    pub fn checked_add(self, other: Quantity) -> Option<Quantity> {
        self.nanos
            .checked_add(other.nanos)
            .map(Quantity::from_nanos)
    }

    /// Parses a quantity that may be negative (the grammar allows a sign).
    pub fn parse_signed(text: &str) -> Result<Quantity, QuantityError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(QuantityError::Empty);
        }
        let (negative, rest) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            (None, None) => (false, text),
        };
        let number_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (number, suffix) = rest.split_at(number_len);
        let (int_part, frac_part) = match number.split_once('.') {
            Some((int, frac)) => {
                if frac.contains('.') {
                    return Err(QuantityError::UnknownSuffix(frac.to_string()));
                }
                (int, frac)
            }
            None => (number, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(QuantityError::NoDigits);
        }
        let int_part = int_part.trim_start_matches('0');
        let frac_part = frac_part.trim_end_matches('0');
        if int_part.len() + frac_part.len() > MAX_DIGITS {
            return Err(QuantityError::Overflow);
        }
        let digits = int_part.bytes().chain(frac_part.bytes());
        let mantissa: i128 = if int_part.len() + frac_part.len() <= 18 {
            // Eighteen digits fit an i64 unchecked; i128 arithmetic is a library call per
            // step in wasm, and this runs for every request and limit of every container.
            i128::from(digits.fold(0i64, |m, d| m * 10 + i64::from(d - b'0')))
        } else {
            let mut mantissa: i128 = 0;
            for digit in digits {
                mantissa = mantissa
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(i128::from(digit - b'0')))
                    .ok_or(QuantityError::Overflow)?;
            }
            mantissa
        };
        // Value = mantissa × 10^(exp10 − frac digits) × 1024^binary_power, in base units.
        let (exp10, binary_power) = match parse_suffix(suffix) {
            Ok(parsed) => parsed,
            // Zero times any power is zero, however absurd the exponent.
            Err(QuantityError::Overflow) if mantissa == 0 => return Ok(Quantity { nanos: 0 }),
            Err(e) => return Err(e),
        };
        let frac_len = i64::try_from(frac_part.len()).map_err(|_| QuantityError::Overflow)?;
        let scale = exp10
            .checked_sub(frac_len)
            .and_then(|s| s.checked_add(9))
            .ok_or(QuantityError::Overflow)?;
        // 1024^6 (Ei) is 2^60.
        let mut nanos = mantissa
            .checked_mul(1i128 << (10 * binary_power.min(6)))
            .ok_or(QuantityError::Overflow)?;
        if nanos != 0 {
            if scale >= 0 {
                // Past 10^38 any non-zero value overflows.
                let power = usize::try_from(scale)
                    .ok()
                    .and_then(|scale| POWERS_OF_TEN.get(scale))
                    .ok_or(QuantityError::Overflow)?;
                nanos = nanos.checked_mul(*power).ok_or(QuantityError::Overflow)?;
            } else {
                // Below one nano-unit: round up, as the API server does.
                let mut divisor: i128 = 1;
                let mut steps = -scale;
                while steps > 0 && divisor <= nanos {
                    divisor *= 10;
                    steps -= 1;
                }
                nanos = if steps > 0 {
                    1
                } else {
                    (nanos + divisor - 1) / divisor
                };
            }
        }
        Ok(Quantity {
            nanos: if negative { -nanos } else { nanos },
        })
    }

    /// Parses a resource quantity; negative values are refused (no resource can be negative).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let quantity = Self::parse_signed(text)?;
        if quantity.nanos < 0 {
            return Err(QuantityError::Negative);
        }
        Ok(quantity)
    }
}

/// Returns (power of ten, power of 1024) of a suffix.
fn parse_suffix(suffix: &str) -> Result<(i64, u32), QuantityError> {
    let decimal = |exp| Ok((exp, 0));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => Ok((0, 1)),
        "Mi" => Ok((0, 2)),
        "Gi" => Ok((0, 3)),
        "Ti" => Ok((0, 4)),
        "Pi" => Ok((0, 5)),
        "Ei" => Ok((0, 6)),
        _ => {
            let exponent = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))
                .filter(|e| !e.is_empty())
                .ok_or_else(|| QuantityError::UnknownSuffix(suffix.to_string()))?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(QuantityError::UnknownSuffix(suffix.to_string()));
            }
            // Anything past ±100 overflows i128 or rounds to a single nano-unit anyway.
            let value: i64 = if digits.len() > 4 {
                if exponent.starts_with('-') {
                    -10_000
                } else {
                    return Err(QuantityError::Overflow);
                }
            } else {
                exponent
                    .parse()
                    .map_err(|_| QuantityError::UnknownSuffix(suffix.to_string()))?
            };
            if value > 100 {
                return Err(QuantityError::Overflow);
            }
            Ok((value, 0))
        }
    }
}

impl Quantity {
    /// Renders a computed quantity (a sum) the way people write that resource: binary
    /// units for memory and storage, decimal for everything else.
    pub fn display_for(self, resource: &str) -> String {
        let binary = resource == "memory"
            || resource.contains("storage")
            || resource.starts_with("hugepages");
        let whole_units = self.nanos % 1_000_000_000 == 0;
        if binary && whole_units && self.nanos != 0 {
            let bytes = self.nanos / 1_000_000_000;
            for (suffix, power) in [
                ("Ei", 60),
                ("Pi", 50),
                ("Ti", 40),
                ("Gi", 30),
                ("Mi", 20),
                ("Ki", 10),
            ] {
                let unit = 1_i128 << power;
                if bytes % unit == 0 {
                    return format!("{}{suffix}", bytes / unit);
                }
            }
        }
        self.to_string()
    }
}

impl fmt::Display for Quantity {
    /// A canonical rendering for messages: whole base units where exact, else milli or nano.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.nanos;
        if n % 1_000_000_000 == 0 {
            write!(f, "{}", n / 1_000_000_000)
        } else if n % 1_000_000 == 0 {
            write!(f, "{}m", n / 1_000_000)
        } else {
            write!(f, "{n}n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nanos(text: &str) -> i128 {
        match Quantity::parse(text) {
            Ok(q) => q.nanos(),
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn parses_the_kubernetes_grammar() {
        assert_eq!(nanos("500m"), 500_000_000);
        assert_eq!(nanos("0.5"), 500_000_000);
        assert_eq!(nanos(".5"), 500_000_000);
        assert_eq!(nanos("1."), 1_000_000_000);
        assert_eq!(nanos("2"), 2_000_000_000);
        assert_eq!(nanos("128Mi"), 128 * 1024 * 1024 * 1_000_000_000);
        assert_eq!(nanos("1Ki"), 1024 * 1_000_000_000);
        assert_eq!(nanos("1k"), 1000 * 1_000_000_000);
        assert_eq!(nanos("1e3"), 1000 * 1_000_000_000);
        assert_eq!(nanos("1E3"), 1000 * 1_000_000_000);
        assert_eq!(nanos("1e-3"), 1_000_000);
        assert_eq!(nanos("+1"), 1_000_000_000);
        assert_eq!(nanos("100n"), 100);
        assert_eq!(nanos("1u"), 1000);
        assert_eq!(nanos("1.5Gi"), 3 * 512 * 1024 * 1024 * 1_000_000_000);
        assert_eq!(nanos("0"), 0);
        assert_eq!(nanos("1Pi"), (1_i128 << 50) * 1_000_000_000);
        assert_eq!(nanos("0.1n"), 1, "below a nano-unit rounds up");
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        for bad in ["", "abc", "1x", "1.2.3", "Mi", "1e", "1e+", "--1", "1 Mi"] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(Quantity::parse("-1"), Err(QuantityError::Negative));
        assert_eq!(
            Quantity::parse_signed("-1").map(Quantity::nanos),
            Ok(-1_000_000_000)
        );
    }

    #[test]
    fn absurd_values_are_errors_not_wraparounds() {
        assert_eq!(Quantity::parse("1e400"), Err(QuantityError::Overflow));
        assert_eq!(
            Quantity::parse("99999999999999999999Ei"),
            Err(QuantityError::Overflow)
        );
        assert_eq!(
            Quantity::parse("1e99999999999"),
            Err(QuantityError::Overflow)
        );
        assert_eq!(nanos("1e-99999999999"), 1);
        assert_eq!(nanos("0e400000"), 0);
    }

    /// Where the arithmetic changes: 18 digits unchecked, 19 checked; one multiplication
    /// by a power of 1024 and one by a power of ten, up to the last i128 holds.
    #[test]
    fn the_edges_of_the_arithmetic() {
        let giga: i128 = 1_000_000_000;
        assert_eq!(nanos("999999999999999999"), 999_999_999_999_999_999 * giga);
        assert_eq!(
            nanos("9999999999999999999"),
            9_999_999_999_999_999_999 * giga
        );
        assert_eq!(nanos("000000000000000000001"), giga);
        assert_eq!(nanos("170e27"), 170 * 10i128.pow(36));
        assert_eq!(Quantity::parse("171e27"), Err(QuantityError::Overflow));
        assert_eq!(nanos("1e29"), 10i128.pow(38));
        assert_eq!(Quantity::parse("1e30"), Err(QuantityError::Overflow));
        assert_eq!(nanos("3Ei"), 3 * (1i128 << 60) * giga);
        assert_eq!(
            nanos("147573952589Ei"),
            147_573_952_589 * (1i128 << 60) * giga
        );
        assert_eq!(
            Quantity::parse("147573952590Ei"),
            Err(QuantityError::Overflow)
        );
        assert_eq!(nanos("0.000000001"), 1);
        assert_eq!(nanos("0.0000000011"), 2, "rounded up");
    }

    #[test]
    fn compares_across_units() {
        assert!(Quantity::parse("1Gi").unwrap() > Quantity::parse("1G").unwrap());
        assert_eq!(
            Quantity::parse("1000m").unwrap(),
            Quantity::parse("1").unwrap()
        );
        assert_eq!(Quantity::parse("1500m").unwrap().to_string(), "1500m");
    }
}

/// A resource quantity in settings: a string (`"500m"`, `"1Gi"`) or a plain number.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantityValue {
    pub text: String,
    pub value: Quantity,
}

impl Serialize for QuantityValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for QuantityValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = match Value::deserialize(deserializer)? {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a quantity like \"500m\" or \"1Gi\", found {other}"
                )))
            }
        };
        let value = Quantity::parse(&text)
            .map_err(|e| serde::de::Error::custom(format!("quantity {text:?} {e}")))?;
        Ok(QuantityValue { text, value })
    }
}

impl JsonSchema for QuantityValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": ["string", "number"],
            "format": "quantity",
            "minimum": 0,
            "description": "A Kubernetes quantity like \"500m\", \"128Mi\" or 2."
        })
    }
}

/// A number above zero: `2`, `0.5`, or the same as a string (`"2"`), which is what
/// form-based editors such as Rancher's questions UI produce.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct PositiveNumber(pub f64);

impl PositiveNumber {
    pub fn parse(text: &str) -> Result<PositiveNumber, String> {
        match text.trim().parse::<f64>() {
            Ok(value) if value > 0.0 && value.is_finite() => Ok(PositiveNumber(value)),
            _ => Err(format!("{text:?} is not a number above 0")),
        }
    }
}

impl<'de> Deserialize<'de> for PositiveNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Number(n) => PositiveNumber::parse(&n.to_string()),
            serde_json::Value::String(s) => PositiveNumber::parse(&s),
            other => Err(format!("expected a number above 0, found {other}")),
        }
        .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for PositiveNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PositiveNumber".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["number", "string"], "format": "positive-number", "exclusiveMinimum": 0})
    }
}
