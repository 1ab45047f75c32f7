//! Each user's todo list in KV (`items:<user id>`), changed with compare-and-set so two instances adding at once both land, and the summary opt-out (`summary-off:<user id>`).

use confab_plugin::Result;
use confab_plugin::kv;
use serde::{Deserialize, Serialize};

/// The prefix of the list keys; the summary job finds the lists by it.
pub(crate) const LIST_PREFIX: &str = "items:";

/// The most items one list holds, so a list always fits one message.
pub(crate) const MAX_ITEMS: usize = 100;

/// One todo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub text: String,
    /// The username of whoever sent it with `/todo send`; `None` for one's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

fn key(user_id: &str) -> String {
    format!("{LIST_PREFIX}{user_id}")
}

/// The user's items, oldest first.
pub(crate) fn items(user_id: &str) -> Result<Vec<Item>> {
    Ok(kv::get_json(&key(user_id))?.unwrap_or_default())
}

/// Appends `item`; `Ok(false)` when the list is full.
pub(crate) fn push(user_id: &str, item: Item) -> Result<bool> {
    let mut added = false;
    kv::update_json(&key(user_id), |current: Option<Vec<Item>>| {
        let mut list = current.unwrap_or_default();
        added = list.len() < MAX_ITEMS;
        if added {
            list.push(item.clone());
        }
        list
    })?;
    Ok(added)
}

/// Removes and returns the first item; `None` when the list is empty.
pub(crate) fn pop(user_id: &str) -> Result<Option<Item>> {
    let mut popped = None;
    let rest = kv::update_json(&key(user_id), |current: Option<Vec<Item>>| {
        let mut list = current.unwrap_or_default();
        popped = (!list.is_empty()).then(|| list.remove(0));
        list
    })?;
    if rest.is_empty() {
        // An empty list leaves no key behind, so the summary job skips the user.
        kv::delete(&key(user_id))?;
    }
    Ok(popped)
}

/// The ids of users whose lists are not empty.
pub(crate) fn owners() -> Result<Vec<String>> {
    Ok(kv::list_all()?.into_iter().filter_map(|k| k.strip_prefix(LIST_PREFIX).map(str::to_owned)).collect())
}

fn opt_out_key(user_id: &str) -> String {
    format!("summary-off:{user_id}")
}

/// Whether the user wants the daily summary (the default).
pub(crate) fn wants_summary(user_id: &str) -> Result<bool> {
    Ok(kv::get(&opt_out_key(user_id))?.is_none())
}

/// Turns the user's daily summary on or off.
pub(crate) fn set_wants_summary(user_id: &str, on: bool) -> Result<()> {
    if on { kv::delete(&opt_out_key(user_id)) } else { kv::set(&opt_out_key(user_id), b"1") }
}

/// The list as numbered markdown lines; a sent item names its sender.
pub(crate) fn render(items: &[Item]) -> String {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match &item.from {
            Some(from) => format!("{}. {} (from @{from})", i + 1, item.text),
            None => format!("{}. {}", i + 1, item.text),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_numbered_and_names_senders() {
        let items = [Item { text: "Buy milk".into(), from: None }, Item { text: "Review".into(), from: Some("alice".into()) }];
        assert_eq!(render(&items), "1. Buy milk\n2. Review (from @alice)");
        assert_eq!(render(&[]), "");
    }

    #[test]
    fn an_own_item_is_stored_without_a_sender() {
        let json = serde_json::to_string(&Item { text: "x".into(), from: None }).unwrap();
        assert_eq!(json, r#"{"text":"x"}"#);
    }
}
