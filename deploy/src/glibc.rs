//! The newest glibc symbol version an ELF binary needs, read from its `.gnu.version_r`
//! section, so a binary built on a newer distribution is refused before Lambda fails to start
//! it with "version `GLIBC_2.xx' not found".

use std::fmt;

use object::read::elf::{ElfFile64, FileHeader};
use object::Endianness;

/// The glibc of Lambda's `provided.al2023` runtime (Amazon Linux 2023).
pub const AL2023_GLIBC: GlibcVersion = GlibcVersion(2, 34);

/// A glibc version, `major.minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GlibcVersion(pub u32, pub u32);

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// The binary could not be read as a 64-bit ELF file.
#[derive(Debug)]
#[non_exhaustive]
pub struct NotElf(pub String);

impl fmt::Display for NotElf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a 64-bit ELF binary: {}", self.0)
    }
}

impl std::error::Error for NotElf {}

/// The highest `GLIBC_x.y` version `elf` needs from `libc.so.6` and friends; `None` for a
/// static binary or one that needs no versioned glibc symbol.
///
/// # Errors
///
/// When `elf` is not a 64-bit ELF file.
pub fn required(elf: &[u8]) -> Result<Option<GlibcVersion>, NotElf> {
    let file = ElfFile64::<Endianness>::parse(elf).map_err(|e| NotElf(e.to_string()))?;
    let endian = file.endian();
    let sections = file
        .elf_header()
        .sections(endian, elf)
        .map_err(|e| NotElf(e.to_string()))?;
    let Some((mut needs, link)) = sections
        .gnu_verneed(endian, elf)
        .map_err(|e| NotElf(e.to_string()))?
    else {
        return Ok(None);
    };
    let strings = sections
        .strings(endian, elf, link)
        .map_err(|e| NotElf(e.to_string()))?;

    let mut newest = None;
    while let Some((_, mut aux)) = needs.next().map_err(|e| NotElf(e.to_string()))? {
        while let Some(entry) = aux.next().map_err(|e| NotElf(e.to_string()))? {
            let name = entry
                .name(endian, strings)
                .map_err(|e| NotElf(e.to_string()))?;
            if let Some(version) = parse(name) {
                newest = newest.max(Some(version));
            }
        }
    }
    Ok(newest)
}

/// `GLIBC_2.34` as a version; other names (`GLIBC_PRIVATE`, `GCC_3.0`) as `None`.
fn parse(name: &[u8]) -> Option<GlibcVersion> {
    let text = std::str::from_utf8(name).ok()?.strip_prefix("GLIBC_")?;
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some(GlibcVersion(major, minor))
}

#[cfg(test)]
mod tests {
    use super::{parse, required, GlibcVersion};

    #[test]
    fn version_names_are_read_and_others_ignored() {
        assert_eq!(parse(b"GLIBC_2.34"), Some(GlibcVersion(2, 34)));
        assert_eq!(parse(b"GLIBC_2.2.5"), Some(GlibcVersion(2, 2)));
        assert_eq!(parse(b"GLIBC_PRIVATE"), None);
        assert_eq!(parse(b"GCC_3.0"), None);
        assert!(GlibcVersion(2, 39) > GlibcVersion(2, 34));
    }

    #[test]
    fn the_test_binary_itself_needs_some_glibc() {
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(required(&me).unwrap().is_some());
        assert!(required(b"not an elf").is_err());
    }
}
