//! Finding where in `aegis.toml` a key sits, so errors found after parsing still name a line.

use std::ops::Range;

/// 1-based line and column (in characters) of byte `offset` in `text`.
#[must_use]
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The byte range of the value of the dotted `key` (`function.memory`) in `text`.
///
/// It knows the plain layout `aegis init` writes — a `[table]` header, then `key = value`
/// lines — which is all the keys checked after parsing need; it answers `None` otherwise.
#[must_use]
pub fn find(text: &str, key: &str) -> Option<Range<usize>> {
    let (table, leaf) = key.rsplit_once('.').unwrap_or(("", key));
    let mut current = String::new();
    let mut offset = 0;

    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header
                .split(']')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
        } else if current == table {
            if let Some((name, value)) = trimmed.split_once('=') {
                if name.trim().trim_matches('"') == leaf {
                    let start =
                        offset + indent + name.len() + (value.len() - value.trim_start().len()) + 1;
                    return Some(start..offset + line.trim_end().len());
                }
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{find, line_column};

    const TEXT: &str = "[function]\nname = \"a\"\nmemory = 64\n\n[overrides]\nalias = \"x\"\n";

    #[test]
    fn a_key_is_found_under_its_table_header() {
        let span = find(TEXT, "function.memory").unwrap();
        assert_eq!(&TEXT[span.clone()], "64");
        assert_eq!(line_column(TEXT, span.start), (3, 10));
    }

    #[test]
    fn a_key_of_another_table_is_not_taken() {
        assert!(find(TEXT, "function.alias").is_none());
        assert!(find(TEXT, "overrides.alias").is_some());
    }
}
