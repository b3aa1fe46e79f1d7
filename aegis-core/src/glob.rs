//! Glob patterns for names, keys and event types: `*` matches any run of characters (`/`
//! included), `?` matches one character, everything else matches itself.

use std::fmt;

/// A compiled glob pattern.
///
/// ```
/// let glob = aegis_core::Glob::new("uploads/*.jpg");
/// assert!(glob.matches("uploads/2024/cat.jpg"));
/// assert!(!glob.matches("uploads/cat.png"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Glob {
    pattern: String,
}

impl Glob {
    /// Compiles `pattern`. Every string is a valid pattern.
    pub fn new(pattern: impl Into<String>) -> Self {
        Self {
            pattern: pattern.into(),
        }
    }

    /// The pattern as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the pattern matches every string.
    #[must_use]
    pub fn is_match_all(&self) -> bool {
        !self.pattern.is_empty() && self.pattern.bytes().all(|b| b == b'*')
    }

    /// The literal text before the first wildcard: what an S3 `prefix` filter can express.
    #[must_use]
    pub fn literal_prefix(&self) -> &str {
        let end = self.pattern.find(['*', '?']).unwrap_or(self.pattern.len());
        &self.pattern[..end]
    }

    /// The literal text after the last wildcard, empty when the pattern has no wildcard: what an
    /// S3 `suffix` filter can express.
    #[must_use]
    pub fn literal_suffix(&self) -> &str {
        match self.pattern.rfind(['*', '?']) {
            Some(i) => &self.pattern[i + 1..],
            None => "",
        }
    }

    /// Whether `text` matches the whole pattern.
    ///
    /// Runs in time proportional to the product of the two lengths at worst, never
    /// exponentially: a failed match after a `*` only ever moves that one star forward.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        let tokens: Vec<Token> = (self.pattern.chars())
            .map(|c| match c {
                '*' => Token::Star,
                '?' => Token::AnyChar,
                c => Token::Char(c),
            })
            .collect();
        matches_tokens(&tokens, text)
    }
}

/// One element of a pattern with stars, as [`matches_tokens`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token {
    /// Any run of characters, none included.
    Star,
    /// Exactly one character.
    AnyChar,
    /// This character.
    Char(char),
}

/// Whether `text` matches the whole of `pattern`; shared by [`Glob`] and EventBridge's
/// `wildcard`, which differ only in how they are written.
pub(crate) fn matches_tokens(pattern: &[Token], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;

    while t < text.len() {
        match pattern.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::AnyChar) => {
                p += 1;
                t += 1;
            }
            Some(Token::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|token| *token == Token::Star)
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.pattern)
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_spans_slashes_and_question_mark_one_char() {
        assert!(Glob::new("a/*").matches("a/b/c"));
        assert!(Glob::new("a?c").matches("abc"));
        assert!(!Glob::new("a?c").matches("ac"));
        assert!(Glob::new("*").matches(""));
        assert!(Glob::new("ObjectCreated:*").matches("ObjectCreated:Put"));
        assert!(!Glob::new("ObjectCreated:*").matches("ObjectRemoved:Delete"));
    }

    #[test]
    fn a_literal_pattern_matches_only_itself() {
        assert!(Glob::new("orders").matches("orders"));
        assert!(!Glob::new("orders").matches("orders2"));
        assert!(!Glob::new("orders").matches("order"));
    }

    #[test]
    fn backtracking_finds_a_later_match() {
        assert!(Glob::new("*.tar.gz").matches("x.tar.tar.gz"));
        assert!(Glob::new("a*b*c").matches("aXbYbZc"));
        assert!(!Glob::new("a*b*c").matches("aXbYbZ"));
    }

    #[test]
    fn a_pathological_pattern_finishes_quickly() {
        let text = "a".repeat(5_000);
        assert!(!Glob::new("*a*a*a*a*a*a*b").matches(&text));
    }

    #[test]
    fn prefix_and_suffix_are_the_literal_ends() {
        let g = Glob::new("uploads/*/raw/*.jpg");
        assert_eq!(
            (g.literal_prefix(), g.literal_suffix()),
            ("uploads/", ".jpg")
        );
        let plain = Glob::new("exact.txt");
        assert_eq!(
            (plain.literal_prefix(), plain.literal_suffix()),
            ("exact.txt", "")
        );
    }

    #[test]
    fn unicode_characters_count_as_one() {
        assert!(Glob::new("caf?.txt").matches("café.txt"));
    }
}
