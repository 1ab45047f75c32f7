//! Slack markup conversion (`<url|label>`, `<@id>`, `<#id|name>`, `<!channel>` to Markdown; `domain/attachment.rs`, called by `service/slack.rs`): the conversion must never create a Markdown link to a `javascript:`, `vbscript:`, `data:` or `file:` URL that the text did not already contain.

use std::collections::HashMap;

use confab_server::domain::attachment::{slack_to_markdown, slack_user_refs};

/// `data` is the message text (lossy UTF-8). Every `<@id>` it references with a
/// plausible id is known, so the username path is taken too.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // Only ids that can be real user ids (letters and digits) resolve, as in the server.
    let usernames: HashMap<String, String> = slack_user_refs(&text)
        .into_iter()
        .filter(|id| id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .enumerate()
        .map(|(i, id)| (id, format!("user{i}")))
        .collect();
    let out = slack_to_markdown(&text, &usernames);
    let (before, after) = (unsafe_links(&text), unsafe_links(&out));
    assert!(after <= before, "conversion created a link to a script or data URL: {text:?} became {out:?}");
    // Converting twice changes nothing more in the links: what it wrote is Markdown, not Slack markup.
    let again = slack_to_markdown(&out, &usernames);
    assert!(unsafe_links(&again) <= after, "a second conversion created an unsafe link: {out:?} became {again:?}");
}

/// How many complete Markdown links (`[label](target)`, label without unescaped
/// brackets or line breaks) point at a scheme that runs or embeds content:
/// `javascript:`, `vbscript:`, `data:` or `file:`, whatever their case or leading
/// blanks. (Any other scheme is inert: gluing text before a converted `https://…`
/// gives schemes like `xhttps:`, which fuzzing found and which harm no one.) A backslash-escaped bracket is text, not syntax (`\]` does not close a label).
pub fn unsafe_links(text: &str) -> usize {
    // Each character with whether a backslash escapes it.
    let mut chars: Vec<(usize, char, bool)> = Vec::with_capacity(text.len());
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        chars.push((i, c, escaped));
        escaped = c == '\\' && !escaped;
    }
    let mut count = 0;
    let mut open = false;
    for (n, &(i, c, escaped)) in chars.iter().enumerate() {
        match c {
            '\n' => open = false,
            '[' if !escaped => open = true,
            ']' if !escaped => {
                let closes_link = open && chars.get(n + 1).is_some_and(|&(_, next, esc)| next == '(' && !esc);
                open = false;
                if closes_link && is_unsafe_target(&text[i + 2..]) {
                    count += 1;
                }
            }
            _ => {}
        }
    }
    count
}

/// Whether a link destination starts with a scheme that runs or embeds content.
fn is_unsafe_target(target: &str) -> bool {
    let target = target.trim_start_matches([' ', '\t', '<']);
    let scheme_len = target.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')).count();
    if scheme_len == 0 || !target[scheme_len..].starts_with(':') {
        return false;
    }
    matches!(target[..scheme_len].to_ascii_lowercase().as_str(), "javascript" | "vbscript" | "data" | "file")
}

#[cfg(test)]
mod tests {
    use super::unsafe_links;

    #[test]
    fn unsafe_links_counts_only_complete_links_to_script_or_data_schemes() {
        assert_eq!(unsafe_links("[x](javascript:alert(1))"), 1);
        assert_eq!(unsafe_links("[x]( JavaScript:alert(1))"), 1);
        assert_eq!(unsafe_links("[x](data:text/html,hi)"), 1);
        assert_eq!(unsafe_links("[x](https://example.com) [m](mailto:a@b)"), 0);
        assert_eq!(unsafe_links("[b](hhttps://x)"), 0, "an unknown scheme is inert");
        assert_eq!(unsafe_links("x](javascript:alert(1))"), 0, "no opening bracket");
        assert_eq!(unsafe_links("[a]b](javascript:x)"), 0, "the bracket before is closed");
        assert_eq!(unsafe_links("[a\nb](javascript:x)"), 0, "links do not span lines");
        assert_eq!(unsafe_links(r"[x\](javascript:alert\(1\)\)\[y](http://ok)"), 0, "an escaped bracket is text");
        assert_eq!(unsafe_links(r"\[x](javascript:y)"), 0, "an escaped opening bracket is text");
        assert_eq!(unsafe_links(r"[x\\](javascript:y)"), 1, "an escaped backslash escapes nothing");
    }
}
