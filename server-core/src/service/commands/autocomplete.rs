//! Autocomplete suggestions for what a user typed after `/`: triggers, then a command's sub-commands and static list items from its `AutocompleteData`.

use serde_json::Value;

use crate::domain::command::{AutocompleteSuggestion, Command};

/// Suggestions for `user_input` (`/tri`, `/trigger sub`, ...).
pub(super) fn suggestions(commands: &[Command], user_input: &str, is_admin: bool) -> Vec<AutocompleteSuggestion> {
    let input = user_input.strip_prefix('/').unwrap_or(user_input);
    let Some((typed_trigger, rest)) = input.split_once(' ') else {
        let prefix = input.to_lowercase();
        return commands
            .iter()
            .filter(|c| c.trigger.starts_with(&prefix))
            .map(|c| AutocompleteSuggestion {
                complete: c.trigger.clone(),
                suggestion: format!("/{}", c.trigger),
                hint: c.auto_complete_hint.clone(),
                description: c.auto_complete_desc.clone(),
                icon_data: c.autocomplete_icon_data.clone(),
            })
            .collect();
    };
    let Some(command) = commands.iter().find(|c| c.trigger == typed_trigger.to_lowercase()) else { return Vec::new() };
    let Some(mut node) = command.autocomplete_data.as_ref() else { return Vec::new() };
    // Walk down the sub-commands already typed in full.
    let mut words: Vec<&str> = rest.split(' ').collect();
    let last = words.pop().unwrap_or_default();
    let mut done = vec![command.trigger.clone()];
    for word in words {
        let next = node["SubCommands"].as_array().and_then(|subs| subs.iter().find(|s| s["Trigger"].as_str() == Some(word)));
        match next {
            Some(sub) => {
                node = sub;
                done.push(word.to_string());
            }
            None => break,
        }
    }
    let allowed = |n: &Value| match n["RoleID"].as_str().unwrap_or("") {
        "system_admin" => is_admin,
        _ => true,
    };
    let complete = |item: &str| format!("{} {item}", done.join(" "));
    let mut out = Vec::new();
    for sub in node["SubCommands"].as_array().into_iter().flatten().filter(|s| allowed(s)) {
        let trigger = sub["Trigger"].as_str().unwrap_or_default();
        if trigger.starts_with(last) {
            out.push(AutocompleteSuggestion {
                complete: complete(trigger),
                suggestion: trigger.to_string(),
                hint: sub["Hint"].as_str().unwrap_or_default().to_string(),
                description: sub["HelpText"].as_str().unwrap_or_default().to_string(),
                icon_data: String::new(),
            });
        }
    }
    for argument in node["Arguments"].as_array().into_iter().flatten() {
        for item in argument["Data"]["PossibleArguments"].as_array().into_iter().flatten() {
            let value = item["Item"].as_str().unwrap_or_default();
            if value.starts_with(last) {
                out.push(AutocompleteSuggestion {
                    complete: complete(value),
                    suggestion: value.to_string(),
                    hint: item["Hint"].as_str().unwrap_or_default().to_string(),
                    description: item["HelpText"].as_str().unwrap_or_default().to_string(),
                    icon_data: String::new(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn suggestions_complete_triggers_then_sub_commands() {
        let data = json!({"Trigger": "jira", "SubCommands": [
            {"Trigger": "create", "HelpText": "Create an issue", "Hint": "[summary]"},
            {"Trigger": "connect", "HelpText": "Connect"},
            {"Trigger": "admin", "RoleID": "system_admin", "Arguments": [{"Data": {"PossibleArguments": [{"Item": "on"}, {"Item": "off"}]}}]}
        ]});
        let commands = vec![
            Command { trigger: "jira".into(), auto_complete_desc: "Jira".into(), autocomplete_data: Some(data), ..Command::default() },
            Command { trigger: "join".into(), ..Command::default() },
        ];
        let triggers: Vec<String> = suggestions(&commands, "/j", false).into_iter().map(|s| s.suggestion).collect();
        assert_eq!(triggers, ["/jira", "/join"]);
        let subs = suggestions(&commands, "/jira c", false);
        assert_eq!(subs.iter().map(|s| s.complete.as_str()).collect::<Vec<_>>(), ["jira create", "jira connect"]);
        assert_eq!(subs[0].description, "Create an issue");
        assert!(suggestions(&commands, "/jira a", false).is_empty(), "admin-only for admins");
        let items: Vec<String> = suggestions(&commands, "/jira admin o", true).into_iter().map(|s| s.complete).collect();
        assert_eq!(items, ["jira admin on", "jira admin off"]);
    }
}
