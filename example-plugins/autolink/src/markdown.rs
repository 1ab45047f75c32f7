//! Which parts of a markdown message a link may change: everything but fenced code blocks, code spans, markdown links and images, `<...>` autolinks and bare URLs.

use std::sync::LazyLock;

use regex::Regex;

/// `[text](url "title")` and `![alt](url)`, at the start of the slice.
static INLINE_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^!?\[[^\[\]]*\]\([^()\s]*(?:\s+"[^"]*")?\)"#).expect("a valid regex"));
/// `<scheme:...>` at the start of the slice.
static ANGLE_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>").expect("a valid regex"));
/// A bare URL (which the client links itself) at the start of the slice.
static BARE_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<]*").expect("a valid regex"));

/// `text` with `f` applied to every part outside code and links; the rest is kept
/// byte for byte.
pub(crate) fn map_plain(text: &str, mut f: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    for (part, protected) in parts(text) {
        if protected { out.push_str(part) } else { out.push_str(&f(part)) }
    }
    out
}

/// `text` cut into consecutive `(part, protected)` pieces.
fn parts(text: &str) -> Vec<(&str, bool)> {
    let mut parts = Vec::new();
    let mut plain_start = 0;
    let mut fence: Option<(char, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        match fence {
            None => {
                if let Some(opened) = fence_of(line) {
                    inline_parts(&text[plain_start..line_start], &mut parts);
                    fence = Some(opened);
                    plain_start = line_start;
                }
            }
            Some((ch, len)) => {
                // A closing fence: the same character, at least as many, nothing after.
                if fence_of(line).is_some_and(|(c, n)| c == ch && n >= len) && line.trim().chars().all(|c| c == ch) {
                    parts.push((&text[plain_start..offset], true));
                    fence = None;
                    plain_start = offset;
                }
            }
        }
    }
    // An unclosed fence runs to the end, as in CommonMark.
    if fence.is_some() {
        parts.push((&text[plain_start..], true));
    } else {
        inline_parts(&text[plain_start..], &mut parts);
    }
    parts.retain(|(part, _)| !part.is_empty());
    parts
}

/// The fence character and length if `line` opens (or closes) a fenced code block.
fn fence_of(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|c| *c == ch).count();
    (indent <= 3 && len >= 3).then_some((ch, len))
}

/// Cuts a stretch outside fences into plain text and protected inline constructs.
fn inline_parts<'a>(chunk: &'a str, parts: &mut Vec<(&'a str, bool)>) {
    let bytes = chunk.as_bytes();
    let (mut plain_start, mut i) = (0, 0);
    while i < bytes.len() {
        let rest = &chunk[i..];
        let protected_len = match bytes[i] {
            b'`' => code_span_len(rest),
            b'[' | b'!' => INLINE_LINK.find(rest).map(|m| m.end()),
            b'<' => ANGLE_LINK.find(rest).map(|m| m.end()),
            b if b.is_ascii_alphabetic() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) => BARE_URL.find(rest).map(|m| m.end()),
            _ => None,
        };
        match protected_len {
            Some(len) => {
                parts.push((&chunk[plain_start..i], false));
                parts.push((&chunk[i..i + len], true));
                i += len;
                plain_start = i;
            }
            // A backtick run without its closing run is literal text: skip it whole.
            None if bytes[i] == b'`' => i += rest.bytes().take_while(|b| *b == b'`').count(),
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    parts.push((&chunk[plain_start..], false));
}

/// The length of the code span starting with the backtick run at the start of `s`,
/// if a run of exactly as many backticks closes it.
fn code_span_len(s: &str) -> Option<usize> {
    let run = s.bytes().take_while(|b| *b == b'`').count();
    let bytes = s.as_bytes();
    let mut j = run;
    while j < bytes.len() {
        if bytes[j] != b'`' {
            j += 1;
            continue;
        }
        let closing = bytes[j..].iter().take_while(|b| **b == b'`').count();
        if closing == run {
            return Some(j + closing);
        }
        j += closing;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(text: &str) -> String {
        map_plain(text, str::to_uppercase)
    }

    #[test]
    fn code_spans_and_fences_are_kept() {
        assert_eq!(upper("a `b` c ``d ` e`` f"), "A `b` C ``d ` e`` F");
        assert_eq!(upper("a `b"), "A `B", "an unclosed span is text");
        assert_eq!(upper("x\n```rust\nlet y;\n```\nz"), "X\n```rust\nlet y;\n```\nZ");
        assert_eq!(upper("x\n~~~~\ny\n~~~\nz"), "X\n~~~~\ny\n~~~\nz", "a shorter fence does not close it");
    }

    #[test]
    fn links_and_urls_are_kept() {
        assert_eq!(upper("a [b](http://c/d) e"), "A [b](http://c/d) E");
        assert_eq!(upper("![i](x.png \"t\") j"), "![i](x.png \"t\") J");
        assert_eq!(upper("see <https://x.y/z> and https://e.com/a-b?q=1 or www.f.org now"), "SEE <https://x.y/z> AND https://e.com/a-b?q=1 OR www.f.org NOW");
        assert_eq!(upper("[not a link] x"), "[NOT A LINK] X");
    }

    #[test]
    fn everything_is_kept_in_order() {
        let text = "é `ç` [l](u) ü\n```\nq\n```\n";
        assert_eq!(map_plain(text, str::to_owned), text);
    }
}
