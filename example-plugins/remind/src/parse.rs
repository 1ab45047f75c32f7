//! `/remind` command lines parsed (shell-style quoting by `shlex`) into who, what and when, with no host calls so it is unit-tested on the host target.

/// Whom a reminder is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// The caller.
    Me,
    /// Another user, by username (without `@`).
    User(String),
}

/// When a reminder fires. Clock times are UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// This many milliseconds from now.
    In(u64),
    /// The next time the UTC clock shows this hour and minute.
    At { hour: u8, minute: u8 },
    /// Every week on this weekday (0 = Sunday, as in cron) at this UTC time.
    Every { weekday: u8, hour: u8, minute: u8 },
}

/// A parsed `/remind` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Request {
    /// Set a reminder.
    Set { target: Target, what: String, when: When },
    /// `/remind list`.
    List,
    /// Something was wrong; the text says what.
    Help(String),
}

pub(crate) const USAGE: &str = "Usage: `/remind me|@user \"what\" in <N> seconds|minutes|hours`, `/remind me \"what\" at <HH:MM>`, \
`/remind me \"what\" every <weekday> [at <HH:MM>]` (times are UTC), or `/remind list`.";

/// The longest reminder text kept.
pub(crate) const MAX_WHAT: usize = 1000;

/// The furthest ahead `in` may reach: a year.
const MAX_IN_MS: u64 = 366 * 24 * 3_600_000;

const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/// The weekday's name, capitalised (0 = Sunday).
pub(crate) fn weekday_name(weekday: u8) -> String {
    let name = WEEKDAYS[usize::from(weekday % 7)];
    name[..1].to_ascii_uppercase() + &name[1..]
}

/// Parse the whole command line (`/remind ...`).
pub(crate) fn parse(line: &str) -> Request {
    let rest = line.trim_start().strip_prefix("/remind").unwrap_or(line);
    // Phones and some keyboards turn quotes into typographic ones.
    let rest = rest.replace(['\u{201c}', '\u{201d}'], "\"").replace(['\u{2018}', '\u{2019}'], "'");
    let Some(words) = shlex::split(&rest) else {
        return Request::Help(format!("A quote is not closed: put the reminder in double quotes. {USAGE}"));
    };
    match words.first().map(String::as_str) {
        None => Request::Help(USAGE.to_owned()),
        Some("list") if words.len() == 1 => Request::List,
        Some(who) => set(who, &words[1..]).unwrap_or_else(|why| Request::Help(format!("{why} {USAGE}"))),
    }
}

fn set(who: &str, words: &[String]) -> Result<Request, String> {
    let target = match who {
        "me" => Target::Me,
        user if user.len() > 1 && user.starts_with('@') => Target::User(user[1..].to_owned()),
        _ => return Err("Say whom to remind: `me` or `@user`.".to_owned()),
    };
    // The time is the longest tail of the line that parses as one: "in", "at" or
    // "every" may also occur in the text of an unquoted reminder ("check in with Ann at
    // 3 in 10 minutes"), and "every monday at 9:00" holds an "at 9:00" of its own.
    let (split, when) = (0..words.len())
        .find_map(|i| when(&words[i..]).map(|w| (i, w)))
        .ok_or_else(|| "Say when: `in 10 minutes`, `at 14:30` or `every monday`.".to_owned())?;
    let mut what_words = &words[..split];
    if what_words.first().is_some_and(|w| w == "to") && what_words.len() > 1 {
        what_words = &what_words[1..];
    }
    let what = what_words.join(" ").trim().to_owned();
    if what.is_empty() {
        return Err("Say what to be reminded of.".to_owned());
    }
    if what.chars().count() > MAX_WHAT {
        return Err(format!("A reminder is at most {MAX_WHAT} characters."));
    }
    Ok(Request::Set { target, what, when })
}

/// The time clause `words`, if all of it is one.
fn when(words: &[String]) -> Option<When> {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["in", n, unit] => {
            let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
            let ms = n.checked_mul(unit_ms(unit)?)?;
            (ms <= MAX_IN_MS).then_some(When::In(ms))
        }
        ["at", time] => clock(time).map(|(hour, minute)| When::At { hour, minute }),
        ["every", day] => Some(When::Every { weekday: weekday(day)?, hour: 9, minute: 0 }),
        ["every", day, "at", time] => {
            let (hour, minute) = clock(time)?;
            Some(When::Every { weekday: weekday(day)?, hour, minute })
        }
        _ => None,
    }
}

fn unit_ms(unit: &str) -> Option<u64> {
    match unit.to_ascii_lowercase().as_str() {
        "second" | "seconds" | "sec" | "secs" | "s" => Some(1000),
        "minute" | "minutes" | "min" | "mins" | "m" => Some(60_000),
        "hour" | "hours" | "hr" | "hrs" | "h" => Some(3_600_000),
        _ => None,
    }
}

/// `HH:MM` (24-hour, UTC).
fn clock(time: &str) -> Option<(u8, u8)> {
    let (h, m) = time.split_once(':')?;
    let (hour, minute): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h.len() <= 2 && m.len() == 2 && hour < 24 && minute < 60).then_some((hour, minute))
}

fn weekday(day: &str) -> Option<u8> {
    let day = day.to_ascii_lowercase();
    // "mon", "monday" and "mondays" all name Monday.
    let day = day.strip_suffix('s').filter(|d| d.ends_with("day")).unwrap_or(&day);
    WEEKDAYS.iter().position(|name| day.len() >= 3 && name.starts_with(day)).and_then(|i| u8::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(target: Target, what: &str, when: When) -> Request {
        Request::Set { target, what: what.to_owned(), when }
    }

    #[test]
    fn relative_times() {
        assert_eq!(parse(r#"/remind me "stand up" in 10 minutes"#), set(Target::Me, "stand up", When::In(600_000)));
        assert_eq!(parse(r#"/remind @bob "deploy" in 3 seconds"#), set(Target::User("bob".into()), "deploy", When::In(3000)));
        assert_eq!(parse("/remind me to call Ann in 2 hours"), set(Target::Me, "call Ann", When::In(7_200_000)));
        assert_eq!(parse("/remind me “curly quotes” in 1 h"), set(Target::Me, "curly quotes", When::In(3_600_000)));
    }

    #[test]
    fn clock_times_and_weekdays() {
        assert_eq!(parse(r#"/remind me "lunch" at 12:30"#), set(Target::Me, "lunch", When::At { hour: 12, minute: 30 }));
        assert_eq!(parse(r#"/remind me "retro" every friday"#), set(Target::Me, "retro", When::Every { weekday: 5, hour: 9, minute: 0 }));
        assert_eq!(parse(r#"/remind me "plan" every Mondays at 8:05"#), set(Target::Me, "plan", When::Every { weekday: 1, hour: 8, minute: 5 }));
        assert_eq!(parse(r#"/remind me "x" every sun"#), set(Target::Me, "x", When::Every { weekday: 0, hour: 9, minute: 0 }));
    }

    #[test]
    fn the_time_is_the_longest_tail_that_parses() {
        assert_eq!(parse("/remind me check in with Ann at 3 in 10 minutes"), set(Target::Me, "check in with Ann at 3", When::In(600_000)));
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        let help = |line: &str| match parse(line) {
            Request::Help(text) => text,
            other => panic!("{line}: {other:?}"),
        };
        assert!(help("/remind you \"x\" in 1 minute").contains("whom"));
        assert!(help("/remind me \"x\" tomorrow").contains("Say when"));
        assert!(help("/remind me \"x\" at 24:00").contains("Say when"));
        assert!(help("/remind me \"x\" in 0 minutes").contains("Say when"));
        assert!(help("/remind me \"x\" in 9999 hours").contains("Say when"), "more than a year ahead");
        assert!(help("/remind me \"x\" every blursday").contains("Say when"));
        assert!(help("/remind me in 5 minutes").contains("what"));
        assert!(help("/remind me \"x in 5 minutes").contains("not closed"));
        assert!(help("/remind").starts_with("Usage"));
        assert_eq!(parse("/remind list"), Request::List);
    }

    #[test]
    fn weekday_names() {
        assert_eq!(weekday_name(1), "Monday");
        assert_eq!(weekday("tue"), Some(2));
        assert_eq!(weekday("t"), None);
    }
}
