//! A forward-only JSON scanner that reads the few members classification needs and jumps over
//! everything else.
//!
//! It checks only what skipping needs: strings end, brackets balance (each container counts its
//! own bracket type, with strings jumped over), members are separated by `:` and `,`. That is
//! enough to turn truncated or garbled input into an error instead of a guess, without paying
//! for a full validation of bodies that classification never reads. Nothing recurses, so the
//! depth of the input cannot exhaust the stack.

use std::borrow::Cow;
use std::fmt;

use super::find;

/// Why a payload could not be scanned, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub(crate) at: usize,
    pub(crate) reason: &'static str,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.at)
    }
}

pub(crate) type Scan<T> = Result<T, Malformed>;

/// Text of a key or string value: borrowed from the payload unless it had to be unescaped.
pub(crate) type Text<'a> = Cow<'a, [u8]>;

#[derive(Debug)]
pub(crate) struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The next significant byte, without consuming it.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Succeeds only when nothing but whitespace is left.
    pub(crate) fn finish(&mut self) -> Scan<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the JSON value")),
        }
    }

    /// Walks an object, handing each key to `member`, which must consume the value.
    pub(crate) fn object<F>(&mut self, mut member: F) -> Scan<()>
    where
        F: FnMut(&mut Self, Text<'a>) -> Scan<()>,
    {
        self.expect(b'{', "expected an object")?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }

        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.expect(b':', "expected `:` after an object key")?;
            member(self, key)?;

            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
    }

    /// Hands the first element of an array to `first`, which must consume it, then skips the
    /// rest. Returns `None` for an empty array.
    pub(crate) fn first_element<T, F>(&mut self, first: F) -> Scan<Option<T>>
    where
        F: FnOnce(&mut Self) -> Scan<T>,
    {
        self.expect(b'[', "expected an array")?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(None);
        }

        let value = first(self)?;
        match self.peek() {
            Some(b']') => self.pos += 1,
            Some(b',') => self.skip_nested(b'[', b']')?,
            _ => return Err(self.error("expected `,` or `]` in an array")),
        }
        Ok(Some(value))
    }

    /// Reads a string value, or skips a value of any other type and returns `None`.
    pub(crate) fn string_or_skip(&mut self) -> Scan<Option<Text<'a>>> {
        if self.peek() == Some(b'"') {
            self.string().map(Some)
        } else {
            self.skip_value().map(|()| None)
        }
    }

    pub(crate) fn skip_value(&mut self) -> Scan<()> {
        match self.peek() {
            Some(b'"') => self.skip_string().map(drop),
            Some(b'{') => {
                self.pos += 1;
                self.skip_nested(b'{', b'}')
            }
            Some(b'[') => {
                self.pos += 1;
                self.skip_nested(b'[', b']')
            }
            Some(b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                self.skip_scalar();
                Ok(())
            }
            Some(_) => Err(self.error("expected a JSON value")),
            None => Err(self.error("unexpected end of input, expected a value")),
        }
    }

    /// Reads the string at the cursor, unescaping it only if it holds an escape.
    fn string(&mut self) -> Scan<Text<'a>> {
        let start = self.pos;
        let escaped = self.skip_string()?;
        let raw = &self.bytes[start..self.pos];
        if !escaped {
            return Ok(Cow::Borrowed(&raw[1..raw.len() - 1]));
        }

        // Escapes are rare in the keys and values classification compares, so the slow but
        // exact decoder is fine here.
        match serde_json::from_slice::<String>(raw) {
            Ok(text) => Ok(Cow::Owned(text.into_bytes())),
            Err(_) => Err(Malformed {
                at: start,
                reason: "invalid escape in a string",
            }),
        }
    }

    /// Moves past the string at the cursor; tells whether it held a backslash escape.
    fn skip_string(&mut self) -> Scan<bool> {
        match find::string_end(self.bytes, self.pos + 1) {
            Some((end, escaped)) => {
                self.pos = end + 1;
                Ok(escaped)
            }
            None => Err(self.error("unterminated string")),
        }
    }

    /// Skips to just past the bracket that closes a container whose opening bracket has
    /// already been consumed.
    fn skip_nested(&mut self, open: u8, close: u8) -> Scan<()> {
        match find::container_end(self.bytes, self.pos, open, close) {
            Some(end) => {
                self.pos = end;
                Ok(())
            }
            None => Err(self.error("unexpected end of input inside a container")),
        }
    }

    /// Numbers, `true`, `false` and `null` end at the next delimiter.
    fn skip_scalar(&mut self) {
        let rest = &self.bytes[self.pos..];
        let len = rest
            .iter()
            .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
            .unwrap_or(rest.len());
        self.pos += len;
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Scan<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    fn error(&self, reason: &'static str) -> Malformed {
        Malformed {
            at: self.pos,
            reason,
        }
    }
}
