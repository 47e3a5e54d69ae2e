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
    /// The literal text every match starts with, and ends with: most texts fail these
    /// cheap tests, and skip the full match.
    prefix: String,
    suffix: String,
    /// For `*word*` (the usual shape of name globs), `word`: a substring test suffices.
    infix: Option<String>,
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
        let mut chars = pattern.chars().enumerate().peekable();
        let mut tokens = Vec::new();
        while let Some((position, c)) = chars.next() {
            let token = match c {
                '*' => {
                    if chars.next_if(|(_, c)| *c == '*').is_some() {
                        while chars.next_if(|(_, c)| *c == '*').is_some() {}
                        Token::DoubleStar
                    } else {
                        Token::Star
                    }
                }
                '?' => Token::AnyChar,
                '\\' => Token::Literal(chars.next().ok_or(GlobError::TrailingEscape)?.1),
                '[' => {
                    let negated = chars.next_if(|(_, c)| *c == '!' || *c == '^').is_some();
                    let mut ranges = Vec::new();
                    loop {
                        let (_, c) = chars.next().ok_or(GlobError::UnclosedClass(position))?;
                        if c == ']' {
                            break;
                        }
                        // `a-z` is a range; a `-` before `]` is a literal dash.
                        let is_range = chars.peek().is_some_and(|(_, next)| *next == '-');
                        if is_range {
                            let mut lookahead = chars.clone();
                            lookahead.next();
                            match lookahead.next() {
                                Some((_, hi)) if hi != ']' => {
                                    chars.next();
                                    chars.next();
                                    ranges.push((c, hi));
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        ranges.push((c, c));
                    }
                    if ranges.is_empty() {
                        return Err(GlobError::EmptyClass(position));
                    }
                    Token::Class { negated, ranges }
                }
                c => Token::Literal(c),
            };
            tokens.push(token);
        }
        let literal = |token: &Token| match token {
            Token::Literal(c) => Some(*c),
            _ => None,
        };
        let prefix: String = tokens.iter().map_while(literal).collect();
        let mut suffix: Vec<char> = tokens.iter().rev().map_while(literal).collect();
        suffix.reverse();
        let infix = match tokens.as_slice() {
            [Token::Star, middle @ .., Token::Star] => middle
                .iter()
                .map(|t| match t {
                    Token::Literal(c) if *c != '/' => Some(*c),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        Ok(Glob {
            infix,
            source: pattern.to_string(),
            prefix,
            suffix: suffix.into_iter().collect(),
            tokens,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `text` matches. Dynamic programming over (token, position):
    /// linear in pattern × text, so hostile patterns cannot make it backtrack for long.
    pub fn is_match(&self, text: &str) -> bool {
        if !text.starts_with(&self.prefix) || !text.ends_with(&self.suffix) {
            return false;
        }
        // All literal: the prefix is the whole pattern.
        if self.prefix.chars().count() == self.tokens.len() {
            return text == self.prefix;
        }
        // `prefix**` and `**suffix`: the literal part, checked above, decides.
        let literal_len = self.prefix.chars().count() + self.suffix.chars().count();
        if literal_len + 1 == self.tokens.len()
            && (matches!(self.tokens.last(), Some(Token::DoubleStar)) && self.suffix.is_empty()
                || matches!(self.tokens.first(), Some(Token::DoubleStar)) && self.prefix.is_empty())
        {
            return true;
        }
        if let Some(word) = &self.infix {
            return !text.contains('/') && text.contains(word.as_str());
        }
        self.full_match(text)
    }

    /// The general match, which the shortcuts above must agree with.
    fn full_match(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        // reachable[j]: the tokens consumed so far can end exactly at text position j.
        let mut reachable = vec![false; text.len() + 1];
        if let Some(start) = reachable.first_mut() {
            *start = true;
        }
        for token in &self.tokens {
            let mut next = vec![false; text.len() + 1];
            match token {
                Token::Star | Token::DoubleStar => {
                    let crosses_slash = matches!(token, Token::DoubleStar);
                    let mut open = false;
                    for (j, slot) in next.iter_mut().enumerate() {
                        open |= reachable.get(j).copied().unwrap_or(false);
                        *slot = open;
                        if text.get(j) == Some(&'/') && !crosses_slash {
                            open = false;
                        }
                    }
                }
                _ => {
                    for (j, c) in text.iter().enumerate() {
                        if reachable.get(j).copied().unwrap_or(false) && token_matches(token, *c) {
                            if let Some(slot) = next.get_mut(j + 1) {
                                *slot = true;
                            }
                        }
                    }
                }
            }
            reachable = next;
        }
        reachable.last().copied().unwrap_or(false)
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
            "format": "glob",
            "minLength": 1,
            "description": "A glob: `*` any run without `/`, `**` any run, `?` one character, `[a-z]` a set."
        })
    }
}

/// True when any of the globs matches.
pub fn any_match(globs: &[Glob], text: &str) -> bool {
    globs.iter().any(|g| g.is_match(text))
}

/// The first glob that matches, for saying which one did.
pub fn first_match<'g>(globs: &'g [Glob], text: &str) -> Option<&'g Glob> {
    globs.iter().find(|g| g.is_match(text))
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
    fn shortcuts_agree_with_the_full_match() {
        let patterns = [
            "/var/log/**",
            "**/log",
            "**/logs",
            "*admin*",
            "*a/b*",
            "exact",
            "a*b",
            "**",
            "*",
            "x/**/y",
            "[ab]*",
            "/var/log",
            "?x*",
        ];
        let texts = [
            "",
            "/",
            "/var/log",
            "/var/log/",
            "/var/log/app",
            "/var/logs",
            "/srv/app/log",
            "log",
            "logs",
            "x-admin-y",
            "admin",
            "a/admin",
            "exact",
            "ab",
            "a/b",
            "x/y",
            "x/1/2/y",
            "bx",
            "b",
            "ax",
        ];
        for pattern in patterns {
            let glob = Glob::new(pattern).expect("valid");
            for text in texts {
                assert_eq!(
                    glob.is_match(text),
                    glob.full_match(text),
                    "{pattern} on {text:?}"
                );
            }
        }
    }

    #[test]
    fn hostile_patterns_stay_linear() {
        let pattern = "*a".repeat(200);
        let text = "a".repeat(5000) + "b";
        assert!(!m(&pattern, &text));
    }
}
