//! One autolink: Mattermost's fields (pattern, template, word-match and non-word boundary switches), compiled into a regex whose matches become the expanded template.

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// The most memory one compiled pattern may take: patterns come from admins, but a
/// typo like `(a{1000}){1000}` must fail to compile, not exhaust the instance.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// A link as stored in the `links` setting (Mattermost autolink's JSON names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct Link {
    pub name: String,
    pub disabled: bool,
    pub pattern: String,
    pub template: String,
    /// Match only between `\b` word boundaries (then the non-word checks do not apply).
    pub wordmatch: bool,
    /// Match also right after a non-space character.
    pub disable_non_word_prefix: bool,
    /// Match also right before a character other than space, `.`, `!`, `?`, `,`, `)`.
    pub disable_non_word_suffix: bool,
}

/// A link ready to apply.
#[derive(Debug)]
pub(crate) struct Compiled {
    re: Regex,
    template: String,
    /// `\b` consumes nothing, so every match can be replaced in one pass; the
    /// whitespace prefix does, so those matches are replaced one at a time.
    replace_all: bool,
}

/// The capture groups that carry the consumed boundary characters through.
const PREFIX: &str = "ConfabNonWordPrefix";
const SUFFIX: &str = "ConfabNonWordSuffix";

impl Link {
    /// The compiled link; `Ok(None)` for a disabled or incomplete one.
    pub(crate) fn compile(&self) -> Result<Option<Compiled>, regex::Error> {
        if self.disabled || self.pattern.is_empty() || self.template.is_empty() {
            return Ok(None);
        }
        let (mut pattern, mut template) = (self.pattern.clone(), self.template.clone());
        let mut replace_all = false;
        if !self.disable_non_word_prefix {
            if self.wordmatch {
                pattern = format!(r"\b{pattern}");
                replace_all = true;
            } else {
                pattern = format!(r"(?P<{PREFIX}>^|\s){pattern}");
                // The prefix is group 1 now: `$1` still means the pattern's first group.
                template = format!("${{{PREFIX}}}{}", shift_numbered(&template, 1));
            }
        }
        if !self.disable_non_word_suffix {
            if self.wordmatch {
                pattern = format!(r"{pattern}\b");
                replace_all = true;
            } else {
                pattern = format!(r"{pattern}(?P<{SUFFIX}>$|[\s.!?,)])");
                template = format!("{template}${{{SUFFIX}}}");
            }
        }
        let re = RegexBuilder::new(&pattern).size_limit(PATTERN_SIZE_LIMIT).build()?;
        Ok(Some(Compiled { re, template, replace_all }))
    }
}

/// `template` with every numbered group reference (`$3`, `${3}`) moved up by `by`;
/// named references, `$$` and the whole-match `$0` are kept.
fn shift_numbered(template: &str, by: usize) -> String {
    let mut out = String::with_capacity(template.len() + 4);
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let braced = after.starts_with('{');
        let name_start = usize::from(braced);
        // A reference's name runs as long as it can (Go's and the regex crate's rule).
        let name_len = after[name_start..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len() - name_start);
        let name = &after[name_start..name_start + name_len];
        let closed = !braced || after[name_start + name_len..].starts_with('}');
        let consumed = name_start + name_len + usize::from(braced && closed);
        match name.parse::<usize>() {
            Ok(n) if n > 0 && closed && !name.is_empty() => {
                out.push_str(&if braced { format!("${{{}}}", n + by) } else { format!("${}", n + by) });
            }
            // `$$` stays a literal dollar; anything else is copied as written.
            _ if after.starts_with('$') => {
                out.push_str("$$");
                rest = &after[1..];
                continue;
            }
            _ => out.push_str(&rest[dollar..dollar + 1 + consumed]),
        }
        rest = &after[consumed..];
    }
    out.push_str(rest);
    out
}

impl Compiled {
    /// `text` with every match replaced by the expanded template.
    pub(crate) fn replace(&self, text: &str) -> String {
        if self.replace_all {
            return self.re.replace_all(text, self.template.as_str()).into_owned();
        }
        // One match at a time, each search starting on the rest of the text, so `^`
        // matches again where the last match (and the space it consumed) ended: in
        // "MM-1 MM-2" both are linked although they share one space.
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(caps) = self.re.captures(rest) {
            let whole = caps.get(0).expect("group 0 is the whole match");
            out.push_str(&rest[..whole.start()]);
            caps.expand(&self.template, &mut out);
            if whole.end() == 0 {
                // An empty match at the start would never advance.
                let step = rest.chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..step]);
                rest = &rest[step..];
                if step == 0 {
                    break;
                }
            } else {
                rest = &rest[whole.end()..];
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(pattern: &str, template: &str) -> Link {
        Link { name: "t".into(), pattern: pattern.into(), template: template.into(), ..Link::default() }
    }

    fn apply(link: &Link, text: &str) -> String {
        link.compile().unwrap().unwrap().replace(text)
    }

    #[test]
    fn numbered_and_named_groups_expand() {
        let jira = link(r"(?P<key>MM)-(?P<id>\d+)", "[${key}-${id}](https://jira.example.com/browse/${key}-${id})");
        assert_eq!(apply(&jira, "See MM-12."), "See [MM-12](https://jira.example.com/browse/MM-12).");
        let numbered = link(r"#(\d+)", "[#$1](https://t.example.com/$1)");
        assert_eq!(apply(&numbered, "#4 and #5"), "[#4](https://t.example.com/4) and [#5](https://t.example.com/5)");
    }

    #[test]
    fn by_default_a_match_needs_space_or_punctuation_around_it() {
        let l = link(r"MM-\d+", "LINK");
        assert_eq!(apply(&l, "MM-1 MM-2, (MM-3) xMM-4 MM-5y MM-6"), "LINK LINK, (MM-3) xMM-4 MM-5y LINK");
        let anywhere = Link { disable_non_word_prefix: true, disable_non_word_suffix: true, ..l };
        assert_eq!(apply(&anywhere, "xMM-4y"), "xLINKy");
    }

    #[test]
    fn word_match_uses_word_boundaries() {
        let l = Link { wordmatch: true, ..link(r"MM-\d+", "LINK") };
        assert_eq!(apply(&l, "(MM-3) xMM-4 MM-5."), "(LINK) xMM-4 LINK.");
    }

    #[test]
    fn disabled_incomplete_and_invalid_links() {
        assert!(Link { disabled: true, ..link("a", "b") }.compile().unwrap().is_none());
        assert!(link("a", "").compile().unwrap().is_none());
        assert!(link("(", "b").compile().is_err());
        assert!(link("(a{1000}){1000}", "b").compile().is_err(), "too big to compile");
    }

    #[test]
    fn numbered_references_follow_the_added_prefix_group() {
        assert_eq!(shift_numbered("[$1](u/${2}) ${name} $$3 $0 $1x $", 1), "[$2](u/${3}) ${name} $$3 $0 $1x $");
    }

    #[test]
    fn dollar_dollar_is_a_literal_dollar() {
        assert_eq!(apply(&link(r"price", "$$5"), "the price"), "the $5");
    }
}
