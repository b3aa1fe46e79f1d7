//! Finding the next byte that matters, eight bytes at a time.
//!
//! Event payloads are mostly short strings a few bytes apart, where calling into `memchr` costs
//! more than the search itself, with now and then a long body where its vector search is
//! unbeatable. So these functions look at one 64-bit word at a time (SWAR: each byte lane of
//! the word compared at once) while the bytes they seek keep turning up, and hand a long quiet
//! stretch to `memchr`.

/// After this many words without a hit, the rest is likely a long run: `memchr` takes over.
const QUIET_WORDS: usize = 4;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
const LOW_BITS: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of every byte lane of `word` that equals `byte`, and no other bit.
///
/// Exact for every lane, not only the first: no carry crosses from one lane to the next.
#[inline(always)]
fn lanes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOW_BITS) + LOW_BITS) | x) & HIGH_BITS
}

/// The eight bytes at `at` as one little-endian word, so that byte order is lane order.
///
/// Past the end the word is padded with zero bytes, which match nothing these searches seek.
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    if let Some(chunk) = bytes.get(at..at.checked_add(8)?) {
        let chunk: [u8; 8] = chunk.try_into().ok()?;
        return Some(u64::from_le_bytes(chunk));
    }
    let rest = bytes.get(at..).filter(|rest| !rest.is_empty())?;
    let mut padded = [0; 8];
    padded[..rest.len()].copy_from_slice(rest);
    Some(u64::from_le_bytes(padded))
}

#[inline(always)]
fn first_lane(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}

/// The lanes from `lane` on.
#[inline(always)]
fn from_lane(lane: usize) -> u64 {
    if lane < 8 {
        u64::MAX << (lane * 8)
    } else {
        0
    }
}

/// The index of the `"` that closes a string whose contents start at `from`, and whether the
/// string held a backslash escape.
///
/// The byte after a backslash is skipped unexamined: it never closes the string.
#[inline]
pub(crate) fn string_end(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
    let mut pos = from;
    let mut escaped = false;
    let mut quiet = 0;
    'words: loop {
        let w = word(bytes, pos)?;
        let quotes = lanes_equal(w, b'"');
        let mut hits = quotes | lanes_equal(w, b'\\');
        if hits == 0 {
            pos += 8;
            quiet += 1;
            if quiet == QUIET_WORDS {
                quiet = 0;
                pos += memchr::memchr2(b'"', b'\\', bytes.get(pos..)?)?;
            }
            continue;
        }

        // Escapes come in clusters (a JSON document sent as a body escapes every quote), so
        // every hit in the word is handled before the next load.
        quiet = 0;
        while hits != 0 {
            let lane = first_lane(hits);
            if quotes & hits & hits.wrapping_neg() != 0 {
                return Some((pos + lane, escaped));
            }
            escaped = true;
            if lane + 2 >= 8 {
                pos += lane + 2;
                continue 'words;
            }
            hits &= from_lane(lane + 2);
        }
        pos += 8;
    }
}

/// The index just past the bracket that closes a container whose contents start at `from`,
/// counting only its own kind of bracket and stepping over strings.
///
/// One pass handles strings and brackets alike, so an object of many short strings costs a
/// few bit operations per string rather than a search each. (A branch-free variant, with a
/// running XOR of the quotes for the string state, measured slower on event payloads.)
pub(crate) fn container_end(bytes: &[u8], from: usize, open: u8, close: u8) -> Option<usize> {
    let mut pos = from;
    let mut depth = 1usize;
    let mut in_string = false;
    let mut quiet = 0;
    'words: loop {
        let w = word(bytes, pos)?;
        let quotes = lanes_equal(w, b'"');
        let backslashes = lanes_equal(w, b'\\');
        let opens = lanes_equal(w, open);
        let brackets = opens | lanes_equal(w, close);

        let mut hits = if in_string {
            quotes | backslashes
        } else {
            quotes | brackets
        };
        if hits == 0 {
            pos += 8;
            quiet += 1;
            if quiet == QUIET_WORDS {
                quiet = 0;
                let rest = bytes.get(pos..)?;
                pos += if in_string {
                    memchr::memchr2(b'"', b'\\', rest)?
                } else {
                    memchr::memchr3(b'"', open, close, rest)?
                };
            }
            continue;
        }

        quiet = 0;
        while hits != 0 {
            let lane = first_lane(hits);
            let hit = hits & hits.wrapping_neg();
            if quotes & hit != 0 {
                in_string = !in_string;
                let wanted = if in_string {
                    quotes | backslashes
                } else {
                    quotes | brackets
                };
                hits = wanted & from_lane(lane + 1);
            } else if in_string {
                // A backslash: the byte after it is content, whatever it is.
                if lane + 2 >= 8 {
                    pos += lane + 2;
                    continue 'words;
                }
                hits &= from_lane(lane + 2);
            } else if opens & hit != 0 {
                depth += 1;
                hits &= from_lane(lane + 1);
            } else {
                depth -= 1;
                if depth == 0 {
                    return Some(pos + lane + 1);
                }
                hits &= from_lane(lane + 1);
            }
        }
        pos += 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious byte-by-byte scan the word-wise one must agree with.
    fn string_end_reference(bytes: &[u8], from: usize) -> Option<(usize, bool)> {
        let (mut pos, mut escaped) = (from, false);
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'"' => return Some((pos, escaped)),
                b'\\' => (pos, escaped) = (pos + 2, true),
                _ => pos += 1,
            }
        }
        None
    }

    fn container_end_reference(bytes: &[u8], from: usize, open: u8, close: u8) -> Option<usize> {
        let (mut pos, mut depth) = (from, 1);
        while let Some(&b) = bytes.get(pos) {
            match b {
                b'"' => pos = string_end_reference(bytes, pos + 1)?.0,
                b if b == open => depth += 1,
                b if b == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(pos + 1);
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        None
    }

    const SAMPLES: [&[u8]; 12] = [
        br#"plain""#,
        br#"\"\"\"\"\"\"\"\"\"\"x""#,
        br#"0123456\"89abcdef""#,
        br#"0123456\\"89"#,
        br#"\\\\\\\\\\\\\\\\\\""#,
        br#"abc"#,
        br#"ends in a backslash\"#,
        b"long long long long long long long long long long long long \\\" tail\" more",
        b"",
        br#""a":{"b":"}]\"{"},"c":[1,{"d":[]}]}, "e": 2}"#,
        br#"{"k": "v", "l": ["]", "\\"]}}}]"#,
        b"                                                                 ]}\"]}\"]}",
    ];

    #[test]
    fn lanes_are_matched_exactly_even_after_a_first_hit() {
        let w = u64::from_le_bytes(*b"\"a\"\x80\x7f\"\x00\"");
        // Lanes 0, 2, 5 and 7 hold a quote; 0x80 and 0x7f next to them must not disturb them.
        assert_eq!(
            lanes_equal(w, b'"'),
            0x80 | 0x80 << 16 | 0x80 << 40 | 0x80 << 56
        );
    }

    #[test]
    fn string_ends_agree_with_a_bytewise_scan() {
        for sample in SAMPLES {
            for from in 0..=sample.len() + 1 {
                assert_eq!(
                    string_end(sample, from),
                    string_end_reference(sample, from),
                    "{:?} from {from}",
                    String::from_utf8_lossy(sample)
                );
            }
        }
    }

    #[test]
    fn container_ends_agree_with_a_bytewise_scan() {
        for sample in SAMPLES {
            for from in 0..=sample.len() + 1 {
                for (open, close) in [(b'{', b'}'), (b'[', b']')] {
                    assert_eq!(
                        container_end(sample, from, open, close),
                        container_end_reference(sample, from, open, close),
                        "{:?} from {from}",
                        String::from_utf8_lossy(sample)
                    );
                }
            }
        }
    }
}
