//! Small, dependency-free glob patterns for settings (image paths, container and port
//! names, mount paths).
//!
//! Syntax: `*` matches any run of characters except `/`; `**` matches any run including
//! `/`; `?` matches one character except `/`; `[abc]`, `[a-z]` and `[!a]` match one
//! character from (or not from) a set; `\` escapes the next character. Matching is over
//! the whole text. A full regex engine would add hundreds of kilobytes to the wasm builds
//! for patterns this simple.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(char),
    AnyChar,
    Star,
    DoubleStar,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled glob pattern. Deserialising one checks its syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    source: String,
    tokens: Vec<Token>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("is empty")]
    Empty,
    #[error("has an unclosed character class starting at position {0}")]
    UnclosedClass(usize),
    #[error("ends with an escape character")]
    TrailingEscape,
    #[error("has an empty character class at position {0}")]
    EmptyClass(usize),
    #[error("is longer than {MAX_GLOB_LEN} characters")]
    TooLong,
}

/// Patterns longer than this are refused: no real image path or name needs one.
pub const MAX_GLOB_LEN: usize = 512;

impl Glob {
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        if pattern.is_empty() {
            return Err(GlobError::Empty);
        }
        if pattern.chars().count() > MAX_GLOB_LEN {
            return Err(GlobError::TooLong);
        }
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    tokens.push(Token::DoubleStar);
                    i += 2;
                    while chars.get(i) == Some(&'*') {
                        i += 1;
                    }
                }
                '*' => {
                    tokens.push(Token::Star);
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::AnyChar);
                    i += 1;
                }
                '\\' => {
                    let escaped = *chars.get(i + 1).ok_or(GlobError::TrailingEscape)?;
                    tokens.push(Token::Literal(escaped));
                    i += 2;
                }
                '[' => {
                    let start = i;
                    i += 1;
                    let negated = matches!(chars.get(i), Some('!') | Some('^'));
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    loop {
                        let c = *chars.get(i).ok_or(GlobError::UnclosedClass(start))?;
                        if c == ']' {
                            i += 1;
                            break;
                        }
                        if chars.get(i + 1) == Some(&'-')
                            && chars.get(i + 2).is_some_and(|c| *c != ']')
                        {
                            ranges.push((c, chars[i + 2]));
                            i += 3;
                        } else {
                            ranges.push((c, c));
                            i += 1;
                        }
                    }
                    if ranges.is_empty() {
                        return Err(GlobError::EmptyClass(start));
                    }
                    tokens.push(Token::Class { negated, ranges });
                }
                c => {
                    tokens.push(Token::Literal(c));
                    i += 1;
                }
            }
        }
        Ok(Glob {
            source: pattern.to_string(),
            tokens,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches. Dynamic programming over (token, position):
    /// linear in pattern × text, so hostile patterns cannot make it backtrack for long.
    pub fn is_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let n = text.len();
        // reachable[j]: the tokens consumed so far can end exactly at text position j.
        let mut reachable = vec![false; n + 1];
        reachable[0] = true;
        for token in &self.tokens {
            let mut next = vec![false; n + 1];
            match token {
                Token::Star | Token::DoubleStar => {
                    let crosses_slash = matches!(token, Token::DoubleStar);
                    let mut open = false;
                    for j in 0..=n {
                        if reachable[j] {
                            open = true;
                        }
                        next[j] = open;
                        if j < n && text[j] == '/' && !crosses_slash {
                            open = false;
                        }
                    }
                }
                _ => {
                    for j in 0..n {
                        if reachable[j] && token_matches(token, text[j]) {
                            next[j + 1] = true;
                        }
                    }
                }
            }
            reachable = next;
        }
        reachable[n]
    }
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Literal(l) => *l == c,
        Token::AnyChar => c != '/',
        Token::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
        Token::Star | Token::DoubleStar => false,
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for Glob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let source = String::deserialize(deserializer)?;
        Glob::new(&source).map_err(|e| serde::de::Error::custom(format!("glob {source:?} {e}")))
    }
}

impl JsonSchema for Glob {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Glob".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "description": "A glob: `*` any run without `/`, `**` any run, `?` one character, `[a-z]` a set."
        })
    }
}

/// True when any of the globs matches.
pub fn any_match(globs: &[Glob], text: &str) -> bool {
    globs.iter().any(|g| g.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        Glob::new(pattern).expect("valid pattern").is_match(text)
    }

    #[test]
    fn stars_stop_at_slashes_double_stars_do_not() {
        assert!(m("corp/log-agent*", "corp/log-agent-v2"));
        assert!(!m("corp/*", "corp/a/b"));
        assert!(m("corp/**", "corp/a/b"));
        assert!(m("/var/log/**", "/var/log/app/x"));
        assert!(m("**/logs", "/srv/app/logs"));
        assert!(m("**/log", "/log"));
        assert!(!m("**/log", "/catalog"));
        assert!(m("*log*", "app-logs"));
        assert!(m("*-sidecar", "auth-sidecar"));
        assert!(!m("*-sidecar", "sidecar"));
    }

    #[test]
    fn classes_and_escapes() {
        assert!(m("v[0-9]", "v7"));
        assert!(!m("v[!0-9]", "v7"));
        assert!(m("a\\*", "a*"));
        assert!(!m("a\\*", "ab"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "a/c"));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert_eq!(Glob::new(""), Err(GlobError::Empty));
        assert_eq!(Glob::new("a[bc"), Err(GlobError::UnclosedClass(1)));
        assert_eq!(Glob::new("a\\"), Err(GlobError::TrailingEscape));
        assert_eq!(Glob::new("[]"), Err(GlobError::EmptyClass(0)));
        assert_eq!(Glob::new(&"a".repeat(600)), Err(GlobError::TooLong));
    }

    #[test]
    fn hostile_patterns_stay_linear() {
        let pattern = "*a".repeat(200);
        let text = "a".repeat(5000) + "b";
        assert!(!m(&pattern, &text));
    }
}
