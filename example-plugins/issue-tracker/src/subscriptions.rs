//! Which channels get which repository's new issues: `channel:<id>` names the channel's repository, `repo:<owner/repo>` lists its channels (kept in step with compare-and-set, so concurrent subscribes from several instances lose nothing).

use confab_plugin::{Result, kv};

/// `owner/repo` as the tracker names it, lower-cased for lookups, or `None` when it is
/// not one (each part 1 to 100 of letters, digits, `.`, `-`, `_`).
pub(crate) fn normalize(repo: &str) -> Option<String> {
    let (owner, name) = repo.split_once('/')?;
    let part_ok = |p: &str| !p.is_empty() && p.len() <= 100 && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    (part_ok(owner) && part_ok(name) && name != "." && name != "..").then(|| repo.to_ascii_lowercase())
}

fn channel_key(channel_id: &str) -> String {
    format!("channel:{channel_id}")
}

fn repo_key(repo: &str) -> String {
    format!("repo:{repo}")
}

/// The repository `channel_id` is subscribed to.
pub(crate) fn repo_of(channel_id: &str) -> Result<Option<String>> {
    kv::get_json(&channel_key(channel_id))
}

/// The channels subscribed to `repo` (already normalized).
pub(crate) fn channels_of(repo: &str) -> Result<Vec<String>> {
    Ok(kv::get_json(&repo_key(repo))?.unwrap_or_default())
}

/// Subscribe `channel_id` to `repo` (replacing an earlier subscription); the answer
/// tells the user how to point the tracker's webhook here.
pub(crate) fn subscribe(channel_id: &str, repo: &str, webhook_url: &str) -> Result<String> {
    let Some(repo) = normalize(repo) else { return Ok("Name the repository as `owner/repo`, e.g. `/issue subscribe octo/hello`.".into()) };
    if let Some(old) = repo_of(channel_id)? {
        remove(&old, channel_id)?;
    }
    kv::set_json(&channel_key(channel_id), &repo)?;
    kv::update_json::<Vec<String>, _>(&repo_key(&repo), |channels| {
        let mut channels = channels.unwrap_or_default();
        if !channels.iter().any(|c| c == channel_id) {
            channels.push(channel_id.to_string());
        }
        channels
    })?;
    Ok(format!(
        "This channel now gets the new issues of **{repo}**, and `/issue create <title>` opens issues there.\n\
         In the tracker, add a webhook to `{webhook_url}` with content type `application/json`, \
         the secret from this plugin's settings, and the *Issues* event."
    ))
}

/// Undo `channel_id`'s subscription.
pub(crate) fn unsubscribe(channel_id: &str) -> Result<String> {
    let Some(repo) = repo_of(channel_id)? else { return Ok("This channel is not subscribed to any repository.".into()) };
    remove(&repo, channel_id)?;
    kv::delete(&channel_key(channel_id))?;
    Ok(format!("This channel no longer gets the issues of **{repo}**."))
}

fn remove(repo: &str, channel_id: &str) -> Result<()> {
    let left = kv::update_json::<Vec<String>, _>(&repo_key(repo), |channels| channels.unwrap_or_default().into_iter().filter(|c| c != channel_id).collect())?;
    if left.is_empty() { kv::delete(&repo_key(repo)) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn repositories_are_owner_slash_name() {
        assert_eq!(normalize("Octo/Hello-World.rs").as_deref(), Some("octo/hello-world.rs"));
        for bad in ["", "octo", "octo/", "/x", "a/b/c", "octo/..", "oc to/x", "octo/x?y"] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}
