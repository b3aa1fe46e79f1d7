//! EventBridge's `wildcard` comparison, read as EventBridge reads it.
//!
//! `*` matches any run of characters, none included. `\*` is a literal star and `\\` a
//! literal backslash; every other character, `?` among them, stands for itself. EventBridge
//! refuses two stars in a row and a backslash before anything else, so [`Wildcard::parse`]
//! does too. (Route globs on `source` and `detail-type` are aegis's own [`Glob`](crate::Glob)s,
//! where `?` is one character; this is only the `detail` pattern's operator.)

use crate::glob::{matches_tokens, Token};

/// A checked `wildcard` value.
#[derive(Debug, Clone)]
pub(crate) struct Wildcard(Vec<Token>);

impl Wildcard {
    /// The wildcard written as `text`, or why EventBridge would refuse it.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut tokens = Vec::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            let token = match c {
                '*' if tokens.last() == Some(&Token::Star) => {
                    return Err(format!(
                        "`{text}` has two `*` in a row, which EventBridge refuses; write one"
                    ))
                }
                '*' => Token::Star,
                '\\' => match chars.next() {
                    Some(escaped @ ('*' | '\\')) => Token::Char(escaped),
                    _ => {
                        return Err(format!(
                            "`{text}` has a `\\` that escapes neither `*` nor `\\`; write `\\\\` \
                             for a backslash"
                        ))
                    }
                },
                other => Token::Char(other),
            };
            tokens.push(token);
        }
        Ok(Self(tokens))
    }

    /// Whether `text` matches the whole wildcard.
    pub(crate) fn matches(&self, text: &str) -> bool {
        matches_tokens(&self.0, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(wildcard: &str, text: &str) -> bool {
        Wildcard::parse(wildcard).unwrap().matches(text)
    }

    #[test]
    fn a_star_matches_any_run_and_a_question_mark_only_itself() {
        assert!(matches("dir/*.png", "dir/a/b.png"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "a-x-b-y-c"));
        assert!(!matches("a*b*c", "a-x-c"));
        assert!(matches("what?", "what?"));
        assert!(!matches("what?", "whats"));
    }

    #[test]
    fn escaped_stars_and_backslashes_are_literal() {
        assert!(matches(r"5\*", "5*"));
        assert!(!matches(r"5\*", "55"));
        assert!(matches(r"C:\\*", r"C:\temp"));
        assert!(!matches(r"C:\\*", "C:/temp"));
    }

    #[test]
    fn what_eventbridge_refuses_is_refused() {
        assert!(Wildcard::parse("a**b").unwrap_err().contains("two `*`"));
        assert!(Wildcard::parse(r"a\b")
            .unwrap_err()
            .contains("escapes neither"));
        assert!(Wildcard::parse("trailing\\").is_err());
        assert!(
            Wildcard::parse(r"a\*\*b").is_ok(),
            "escaped stars are not wildcards"
        );
    }
}
