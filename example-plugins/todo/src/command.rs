//! `/todo` command lines parsed into what to do, with no host calls so it is unit-tested on the host target.

/// What a `/todo` line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Request<'a> {
    /// `/todo add <text>`.
    Add(&'a str),
    /// `/todo list`.
    List,
    /// `/todo pop`: remove the first item.
    Pop,
    /// `/todo send @user <text>`.
    Send { username: &'a str, text: &'a str },
    /// `/todo settings summary on|off` (`None`: show the settings).
    Summary(Option<bool>),
    /// Anything else, with what was wrong (empty for plain `/todo help`).
    Help(&'static str),
}

pub(crate) const USAGE: &str = "Usage: `/todo add <text>`, `/todo list`, `/todo pop`, `/todo send @user <text>`, `/todo settings [summary on|off]`.";

/// The longest item kept: a todo is a line, not a document.
pub(crate) const MAX_TEXT: usize = 1000;

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    s.split_once(char::is_whitespace).map_or((s, ""), |(word, rest)| (word, rest.trim()))
}

/// Parse `line`, the whole command as typed (`/todo ...`).
pub(crate) fn parse(line: &str) -> Request<'_> {
    let rest = line.trim_start().strip_prefix("/todo").unwrap_or(line);
    let (verb, rest) = split_word(rest);
    match verb.to_ascii_lowercase().as_str() {
        "add" => text(rest).map_or_else(Request::Help, Request::Add),
        "list" | "" => Request::List,
        "pop" => Request::Pop,
        "send" => {
            let (user, text_part) = split_word(rest);
            let username = user.strip_prefix('@').unwrap_or(user);
            if username.is_empty() {
                return Request::Help("Say who gets it: `/todo send @user <text>`.");
            }
            text(text_part).map_or_else(Request::Help, |text| Request::Send { username, text })
        }
        "settings" => match split_word(rest) {
            ("", _) => Request::Summary(None),
            ("summary", "on") => Request::Summary(Some(true)),
            ("summary", "off") => Request::Summary(Some(false)),
            _ => Request::Help("Settings: `/todo settings summary on` or `/todo settings summary off`."),
        },
        _ => Request::Help(""),
    }
}

fn text(s: &str) -> Result<&str, &'static str> {
    match s.trim() {
        "" => Err("Say what to do: the text of the todo is missing."),
        t if t.chars().count() > MAX_TEXT => Err("A todo is at most 1000 characters."),
        t => Ok(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_their_arguments() {
        assert_eq!(parse("/todo add  Buy milk "), Request::Add("Buy milk"));
        assert_eq!(parse("/todo"), Request::List);
        assert_eq!(parse("/todo LIST"), Request::List);
        assert_eq!(parse("/todo pop"), Request::Pop);
        assert_eq!(parse("/todo send @bob Review the PR"), Request::Send { username: "bob", text: "Review the PR" });
        assert_eq!(parse("/todo send bob x"), Request::Send { username: "bob", text: "x" });
        assert_eq!(parse("/todo settings"), Request::Summary(None));
        assert_eq!(parse("/todo settings summary off"), Request::Summary(Some(false)));
    }

    #[test]
    fn missing_or_bad_arguments_explain_themselves() {
        assert!(matches!(parse("/todo add"), Request::Help(m) if m.contains("missing")));
        assert!(matches!(parse("/todo send @bob"), Request::Help(m) if m.contains("missing")));
        assert!(matches!(parse("/todo send"), Request::Help(m) if m.contains("who")));
        assert!(matches!(parse("/todo settings summary maybe"), Request::Help(_)));
        assert_eq!(parse("/todo frobnicate"), Request::Help(""));
        let long = format!("/todo add {}", "x".repeat(MAX_TEXT + 1));
        assert!(matches!(parse(&long), Request::Help(m) if m.contains("1000")));
    }
}
