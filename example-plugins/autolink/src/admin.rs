//! `/autolink add|list|delete|test` for system admins; the links are kept in the plugin's `links` setting through save-settings, so the System Console shows the same list.

use confab_plugin::{Result, config, users};
use serde_json::Value;

use crate::link::Link;

pub(crate) const USAGE: &str = "Usage: `/autolink list`, `/autolink add <name> <pattern> <template>`, `/autolink delete <name>`, `/autolink test <text>`. \
The pattern is one word (write `\\s` for a space); the template is the rest of the line, with `$1` or `${name}` for the pattern's groups.";

/// The answer to `/autolink ...` run by `user_id`.
pub(crate) fn command(user_id: &str, line: &str, apply: impl Fn(&str) -> String) -> Result<String> {
    if !users::get(user_id)?.roles.split_whitespace().any(|r| r == "system_admin") {
        return Ok("Only system admins may use /autolink.".to_owned());
    }
    let rest = line.trim_start().strip_prefix("/autolink").unwrap_or(line);
    let (verb, rest) = split_word(rest);
    match verb {
        "list" => Ok(render(&links()?)),
        "add" => {
            let (name, rest) = split_word(rest);
            let (pattern, template) = split_word(rest);
            if name.is_empty() || pattern.is_empty() || template.is_empty() {
                return Ok(USAGE.to_owned());
            }
            add(Link { name: name.to_owned(), pattern: pattern.to_owned(), template: template.to_owned(), ..Link::default() })
        }
        "delete" if !rest.is_empty() => delete(rest),
        "test" if !rest.is_empty() => Ok(format!("That would be posted as:\n{}", apply(rest))),
        _ => Ok(USAGE.to_owned()),
    }
}

fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim();
    s.split_once(char::is_whitespace).map_or((s, ""), |(word, rest)| (word, rest.trim()))
}

/// The saved links.
pub(crate) fn links() -> Result<Vec<Link>> {
    let settings = config::settings_value()?;
    Ok(serde_json::from_value(settings.get("links").cloned().unwrap_or(Value::Array(Vec::new())))?)
}

/// Replaces the `links` setting, keeping the other settings as they are.
fn save(links: &[Link]) -> Result<()> {
    let mut settings = config::settings_value()?;
    if !settings.is_object() {
        settings = Value::Object(Default::default());
    }
    settings["links"] = serde_json::to_value(links)?;
    config::save_settings(&settings)
}

fn add(link: Link) -> Result<String> {
    if let Err(e) = link.compile() {
        return Ok(format!("The pattern `{}` is not a valid regular expression: {e}", link.pattern));
    }
    let mut all = links()?;
    if all.iter().any(|l| l.name == link.name) {
        return Ok(format!("A link named **{}** exists: delete it first.", link.name));
    }
    let answer = format!("Added **{}**: `{}` → `{}`", link.name, link.pattern, link.template);
    all.push(link);
    save(&all)?;
    Ok(answer)
}

fn delete(name: &str) -> Result<String> {
    let mut all = links()?;
    let before = all.len();
    all.retain(|l| l.name != name);
    if all.len() == before {
        return Ok(format!("There is no link named **{name}**."));
    }
    save(&all)?;
    Ok(format!("Deleted **{name}**."))
}

/// The links as a markdown list.
pub(crate) fn render(links: &[Link]) -> String {
    if links.is_empty() {
        return "No links yet: add one with `/autolink add <name> <pattern> <template>`.".to_owned();
    }
    let lines: Vec<String> = links
        .iter()
        .map(|l| {
            let off = if l.disabled { " (disabled)" } else { "" };
            format!("- **{}**{off}: `{}` → `{}`", l.name, l.pattern, l.template)
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_listed_with_their_state() {
        let a = Link { name: "jira".into(), pattern: r"MM-\d+".into(), template: "[x](y)".into(), ..Link::default() };
        let b = Link { name: "old".into(), disabled: true, ..a.clone() };
        assert_eq!(render(&[a, b]), "- **jira**: `MM-\\d+` → `[x](y)`\n- **old** (disabled): `MM-\\d+` → `[x](y)`");
        assert!(render(&[]).starts_with("No links yet"));
    }

    #[test]
    fn words_split_off_the_front() {
        assert_eq!(split_word("  add  jira  MM-(\\d+)  [MM-$1](u) "), ("add", "jira  MM-(\\d+)  [MM-$1](u)"));
        assert_eq!(split_word("list"), ("list", ""));
    }
}
