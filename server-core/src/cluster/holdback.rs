//! The causal hold-back on a receiving node: an edit, deletion or reaction of a post made moments ago waits (briefly, bounded) for the post's own `posted` to pass, so no client sees it before the post.
//!
//! The stream already gives every node one order; what it cannot order is an edit made
//! on node B from a client that read the post from the database before node A had
//! published `posted`. Such an event names a post created within [`RECENT`] of its
//! arrival whose `posted` (or `ephemeral_message`) has not passed yet: it is held until
//! that event passes, or for [`MAX_HOLD`] at most (the post's event may never come, if
//! its node died between the commit and the publish). Later events of the same post
//! queue behind it, so their order holds too. Everything else passes at once.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// A post older than this (by its `create_at`) when an event about it arrives is not
/// waited for: its `posted` passed long ago, or never will.
pub const RECENT: Duration = Duration::from_secs(2);

/// The longest an event waits for its post.
pub const MAX_HOLD: Duration = Duration::from_millis(500);

/// How long a post counts as seen: past [`RECENT`], events about it pass anyway.
const SEEN_FOR: Duration = Duration::from_secs(10);

/// What an arriving event means for the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Causality {
    /// It shows a post for the first time (`posted`, `ephemeral_message`).
    Creates { post_id: String },
    /// It concerns a post created at `create_at` (ms since the epoch).
    DependsOn { post_id: String, create_at: i64 },
    /// It depends on no post.
    Independent,
}

struct Held<T> {
    post_id: String,
    until: Instant,
    item: T,
}

/// The events held back, and the posts seen lately.
pub struct HoldBack<T> {
    seen: HashMap<String, Instant>,
    seen_order: VecDeque<(Instant, String)>,
    held: Vec<Held<T>>,
}

impl<T> Default for HoldBack<T> {
    fn default() -> Self {
        HoldBack { seen: HashMap::new(), seen_order: VecDeque::new(), held: Vec::new() }
    }
}

impl<T> HoldBack<T> {
    /// Take `item` in, arrived at `now` (`now_ms` on the wall clock); returns what may
    /// be delivered now, in order.
    pub fn accept(&mut self, now: Instant, now_ms: i64, causality: Causality, item: T) -> Vec<T> {
        self.forget_old(now);
        match causality {
            Causality::Creates { post_id } => {
                let mut out = vec![item];
                out.extend(self.take_post(&post_id));
                self.seen_order.push_back((now, post_id.clone()));
                self.seen.insert(post_id, now);
                out
            }
            Causality::DependsOn { post_id, create_at } => {
                let queued_behind = self.held.iter().any(|h| h.post_id == post_id);
                let age_ms = now_ms.saturating_sub(create_at);
                let recent = age_ms < RECENT.as_millis() as i64;
                if queued_behind || (recent && !self.seen.contains_key(&post_id)) {
                    self.held.push(Held { post_id, until: now + MAX_HOLD, item });
                    Vec::new()
                } else {
                    vec![item]
                }
            }
            Causality::Independent => vec![item],
        }
    }

    /// When the next held event is due, if any is held.
    pub fn next_due(&self) -> Option<Instant> {
        self.held.iter().map(|h| h.until).min()
    }

    /// The events whose wait ran out by `now`, with the events of the same post queued
    /// behind them, in order.
    pub fn release_due(&mut self, now: Instant) -> Vec<T> {
        let mut out = Vec::new();
        while let Some(post_id) = self.held.iter().find(|h| h.until <= now).map(|h| h.post_id.clone()) {
            out.extend(self.take_post(&post_id));
        }
        out
    }

    /// How many events wait now.
    pub fn held_count(&self) -> usize {
        self.held.len()
    }

    fn take_post(&mut self, post_id: &str) -> Vec<T> {
        let (taken, kept) = std::mem::take(&mut self.held).into_iter().partition(|h| h.post_id == post_id);
        self.held = kept;
        taken.into_iter().map(|h: Held<T>| h.item).collect()
    }

    fn forget_old(&mut self, now: Instant) {
        while let Some((at, _)) = self.seen_order.front()
            && now.duration_since(*at) > SEEN_FOR
        {
            let (at, post_id) = self.seen_order.pop_front().expect("front exists");
            if self.seen.get(&post_id) == Some(&at) {
                self.seen.remove(&post_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depends(post_id: &str, create_at: i64) -> Causality {
        Causality::DependsOn { post_id: post_id.into(), create_at }
    }

    fn creates(post_id: &str) -> Causality {
        Causality::Creates { post_id: post_id.into() }
    }

    #[test]
    fn an_edit_of_a_fresh_post_waits_for_the_post_and_then_follows_it() {
        let mut hold = HoldBack::default();
        let t0 = Instant::now();
        let now_ms = 1_000_000;
        assert!(hold.accept(t0, now_ms, depends("p1", now_ms - 5), "edit").is_empty());
        assert!(hold.accept(t0, now_ms, depends("p1", now_ms - 5), "reaction").is_empty(), "queued behind the edit");
        assert_eq!(hold.accept(t0, now_ms, Causality::Independent, "typing"), vec!["typing"], "others pass");
        assert_eq!(hold.accept(t0, now_ms, creates("p1"), "posted"), vec!["posted", "edit", "reaction"]);
        assert_eq!(hold.held_count(), 0);
        assert_eq!(hold.accept(t0, now_ms, depends("p1", now_ms - 5), "second edit"), vec!["second edit"], "the post passed");
    }

    #[test]
    fn old_posts_do_not_wait_and_a_missing_post_waits_at_most_max_hold() {
        let mut hold = HoldBack::default();
        let t0 = Instant::now();
        let now_ms = 1_000_000;
        let old = now_ms - RECENT.as_millis() as i64 - 1;
        assert_eq!(hold.accept(t0, now_ms, depends("old", old), "edit"), vec!["edit"]);
        assert!(hold.accept(t0, now_ms, depends("lost", now_ms), "edit of lost").is_empty());
        assert_eq!(hold.next_due(), Some(t0 + MAX_HOLD));
        assert!(hold.release_due(t0 + MAX_HOLD - Duration::from_millis(1)).is_empty());
        let later = t0 + Duration::from_millis(100);
        assert!(hold.accept(later, now_ms + 100, depends("lost", now_ms), "delete of lost").is_empty(), "behind the first");
        assert_eq!(hold.release_due(t0 + MAX_HOLD), vec!["edit of lost", "delete of lost"], "released together, in order");
        assert_eq!(hold.next_due(), None);
    }

    #[test]
    fn seen_posts_are_forgotten_after_a_while() {
        let mut hold = HoldBack::default();
        let t0 = Instant::now();
        hold.accept(t0, 0, creates("p"), ());
        assert_eq!(hold.seen.len(), 1);
        hold.accept(t0 + SEEN_FOR + Duration::from_millis(1), 0, Causality::Independent, ());
        assert!(hold.seen.is_empty() && hold.seen_order.is_empty());
    }
}
