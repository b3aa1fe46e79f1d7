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
    /// The pattern read once, so matching allocates nothing.
    tokens: Vec<Token>,
}

impl Glob {
    /// Compiles `pattern`. Every string is a valid pattern.
    pub fn new(pattern: impl Into<String>) -> Self {
        let pattern = pattern.into();
        let tokens = (pattern.chars())
            .map(|c| match c {
                '*' => Token::Star,
                '?' => Token::AnyChar,
                c => Token::Char(c),
            })
            .collect();
        Self { pattern, tokens }
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
        matches_tokens(&self.tokens, text)
    }
}

/// One element of a pattern with stars, as [`matches_tokens`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    // `t` and a star's restart point are byte offsets into `text`, always on a char boundary.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;

    while let Some(c) = text[t..].chars().next() {
        match pattern.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::AnyChar) => {
                p += 1;
                t += c.len_utf8();
            }
            Some(Token::Char(wanted)) if *wanted == c => {
                p += 1;
                t += c.len_utf8();
            }
            _ => match star {
                Some((sp, st)) => {
                    let skipped = text[st..].chars().next().map_or(1, char::len_utf8);
                    p = sp + 1;
                    t = st + skipped;
                    star = Some((sp, t));
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

    /// The definition, written as plainly as possible: exponential, for short inputs only.
    fn reference(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => (0..=text.len()).any(|i| reference(rest, &text[i..])),
            Some((&p, rest)) => text
                .split_first()
                .is_some_and(|(&t, tail)| (p == '?' || p == t) && reference(rest, tail)),
        }
    }

    proptest::proptest! {
        #[test]
        fn matching_agrees_with_the_definition(
            pattern in "[ab*?é]{0,7}",
            text in "[abé]{0,9}",
        ) {
            let chars = |s: &str| s.chars().collect::<Vec<_>>();
            proptest::prop_assert_eq!(
                Glob::new(pattern.as_str()).matches(&text),
                reference(&chars(&pattern), &chars(&text))
            );
        }
    }

    #[test]
    fn unicode_characters_count_as_one() {
        assert!(Glob::new("caf?.txt").matches("café.txt"));
        assert!(Glob::new("*é?").matches("ééé"));
        assert!(!Glob::new("*é").matches("éa"));
        assert!(Glob::new("a*ü*z").matches("aüxüz"));
    }
}
