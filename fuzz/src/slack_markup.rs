//! Slack markup conversion (`<url|label>`, `<@id>`, `<#id|name>`, `<!channel>` to Markdown; `domain/attachment.rs`, called by `service/slack.rs`): the conversion must never create a Markdown link to a scheme other than http, https or mailto that the text did not already contain.

use std::collections::HashMap;

use confab_server::domain::attachment::{slack_to_markdown, slack_user_refs};

/// `data` is the message text (lossy UTF-8). Every `<@id>` it references is known, so
/// the username path is taken too.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let usernames: HashMap<String, String> = slack_user_refs(&text).into_iter().enumerate().map(|(i, id)| (id, format!("user{i}"))).collect();
    let out = slack_to_markdown(&text, &usernames);
    let (before, after) = (unsafe_links(&text), unsafe_links(&out));
    assert!(after <= before, "conversion created a link to a non-http(s) URL: {text:?} became {out:?}");
    // Converting twice changes nothing more in the links: what it wrote is Markdown, not Slack markup.
    let again = slack_to_markdown(&out, &usernames);
    assert!(unsafe_links(&again) <= after, "a second conversion created an unsafe link: {out:?} became {again:?}");
}

/// How many complete Markdown links (`[label](target)`, label without brackets or line
/// breaks) point at a scheme other than http, https or mailto: `javascript:`, `data:`,
/// `vbscript:` and the like, whatever their case or leading blanks.
pub fn unsafe_links(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    for (i, _) in text.match_indices("](") {
        // A complete link needs a `[` earlier on the line with no bracket in between.
        let opened = bytes[..i].iter().rev().take_while(|&&b| b != b']' && b != b'\n').any(|&b| b == b'[');
        if !opened {
            continue;
        }
        let target = text[i + 2..].trim_start_matches([' ', '\t', '<']);
        let scheme_len = target.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')).count();
        if scheme_len == 0 || !target[scheme_len..].starts_with(':') {
            continue;
        }
        let scheme = target[..scheme_len].to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https" | "mailto") {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::unsafe_links;

    #[test]
    fn unsafe_links_counts_only_complete_links_to_other_schemes() {
        assert_eq!(unsafe_links("[x](javascript:alert(1))"), 1);
        assert_eq!(unsafe_links("[x]( JavaScript:alert(1))"), 1);
        assert_eq!(unsafe_links("[x](data:text/html,hi)"), 1);
        assert_eq!(unsafe_links("[x](https://example.com) [m](mailto:a@b)"), 0);
        assert_eq!(unsafe_links("x](javascript:alert(1))"), 0, "no opening bracket");
        assert_eq!(unsafe_links("[a]b](javascript:x)"), 0, "the bracket before is closed");
        assert_eq!(unsafe_links("[a\nb](javascript:x)"), 0, "links do not span lines");
    }
}
