//! Reminders in KV (`reminder:<id>`, JSON) with an index per recipient (`user:<id>`), ids from an atomic counter, and the scheduler job names that fire them.

use confab_plugin::{Result, kv, scheduler};
use serde::{Deserialize, Serialize};

use crate::parse::When;

/// A reminder as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Reminder {
    pub id: u64,
    /// Who is reminded.
    pub user_id: String,
    /// Who set it, and their username (shown when it is not the recipient).
    pub creator_id: String,
    pub creator_name: String,
    pub what: String,
    pub when: StoredWhen,
    /// A one-time reminder was sent (its job is gone, or going: the scheduler drops a
    /// one-shot job only after the run returns, so the job alone cannot tell).
    #[serde(default)]
    pub delivered: bool,
}

/// [`When`] as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum StoredWhen {
    In { ms: u64 },
    At { hour: u8, minute: u8 },
    Every { weekday: u8, hour: u8, minute: u8 },
}

impl From<When> for StoredWhen {
    fn from(when: When) -> Self {
        match when {
            When::In(ms) => StoredWhen::In { ms },
            When::At { hour, minute } => StoredWhen::At { hour, minute },
            When::Every { weekday, hour, minute } => StoredWhen::Every { weekday, hour, minute },
        }
    }
}

impl From<StoredWhen> for When {
    fn from(when: StoredWhen) -> Self {
        match when {
            StoredWhen::In { ms } => When::In(ms),
            StoredWhen::At { hour, minute } => When::At { hour, minute },
            StoredWhen::Every { weekday, hour, minute } => When::Every { weekday, hour, minute },
        }
    }
}

impl Reminder {
    pub(crate) fn recurring(&self) -> bool {
        matches!(self.when, StoredWhen::Every { .. })
    }
}

/// The job that fires reminder `id` on its schedule.
pub(crate) fn job_name(id: u64) -> String {
    format!("remind:{id}")
}

/// The job that fires reminder `id` again after a snooze.
pub(crate) fn snooze_job_name(id: u64) -> String {
    format!("snooze:{id}")
}

/// The reminder id a job name carries.
pub(crate) fn id_of_job(name: &str) -> Option<u64> {
    name.strip_prefix("remind:").or_else(|| name.strip_prefix("snooze:")).and_then(|id| id.parse().ok())
}

fn key(id: u64) -> String {
    format!("reminder:{id}")
}

fn index_key(user_id: &str) -> String {
    format!("user:{user_id}")
}

/// A fresh id: one counter for all instances, moved with compare-and-set.
pub(crate) fn next_id() -> Result<u64> {
    kv::update_json("next-id", |n: Option<u64>| n.unwrap_or(0) + 1)
}

pub(crate) fn get(id: u64) -> Result<Option<Reminder>> {
    kv::get_json(&key(id))
}

/// Marks a one-time reminder as sent, unless it changed meanwhile (completed from an
/// earlier DM, say): compare-and-set against the bytes read, never re-creating it.
pub(crate) fn mark_delivered(reminder: &Reminder) -> Result<()> {
    let Some(old) = kv::get(&key(reminder.id))? else { return Ok(()) };
    let new = serde_json::to_vec(&Reminder { delivered: true, ..reminder.clone() })?;
    kv::set_atomic(&key(reminder.id), Some(&old), Some(&new))?;
    Ok(())
}

/// Stores a new reminder and adds it to its recipient's index.
pub(crate) fn insert(reminder: &Reminder) -> Result<()> {
    kv::set_json(&key(reminder.id), reminder)?;
    kv::update_json(&index_key(&reminder.user_id), |ids: Option<Vec<u64>>| {
        let mut ids = ids.unwrap_or_default();
        if !ids.contains(&reminder.id) {
            ids.push(reminder.id);
        }
        ids
    })?;
    Ok(())
}

/// Removes a reminder, its index entry and its jobs.
pub(crate) fn remove(reminder: &Reminder) -> Result<()> {
    scheduler::cancel(&job_name(reminder.id))?;
    scheduler::cancel(&snooze_job_name(reminder.id))?;
    kv::update_json(&index_key(&reminder.user_id), |ids: Option<Vec<u64>>| {
        let mut ids = ids.unwrap_or_default();
        ids.retain(|id| *id != reminder.id);
        ids
    })?;
    kv::delete(&key(reminder.id))
}

/// The user's reminders, oldest first.
pub(crate) fn of_user(user_id: &str) -> Result<Vec<Reminder>> {
    let ids: Vec<u64> = kv::get_json(&index_key(user_id))?.unwrap_or_default();
    let mut reminders = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(reminder) = get(id)? {
            reminders.push(reminder);
        }
    }
    Ok(reminders)
}

/// The most reminders one user holds, so one user cannot use up the plugin's job quota.
pub(crate) const MAX_PER_USER: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_carry_the_id() {
        assert_eq!(id_of_job(&job_name(42)), Some(42));
        assert_eq!(id_of_job(&snooze_job_name(7)), Some(7));
        assert_eq!(id_of_job("other"), None);
    }

    #[test]
    fn times_round_trip_through_json() {
        for when in [When::In(5), When::At { hour: 1, minute: 2 }, When::Every { weekday: 3, hour: 4, minute: 5 }] {
            let json = serde_json::to_string(&StoredWhen::from(when)).unwrap();
            assert_eq!(When::from(serde_json::from_str::<StoredWhen>(&json).unwrap()), when);
        }
        assert_eq!(serde_json::to_string(&StoredWhen::In { ms: 5 }).unwrap(), r#"{"kind":"in","ms":5}"#);
    }
}
