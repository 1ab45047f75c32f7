//! Slack-compatible input from integrations: markup conversion with user ids looked up, and attachments checked, numbered and stored on a post.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Result;
use super::posts::Posts;
use crate::domain::attachment::{self, Attachment};

impl Posts<'_> {
    /// Usernames of the users referenced as `<@ID>` in `texts`; unknown ids are left out
    /// (their markup stays as written).
    pub async fn slack_usernames<'a>(&self, texts: impl IntoIterator<Item = &'a str>) -> Result<HashMap<String, String>> {
        let mut ids: Vec<String> = Vec::new();
        for text in texts {
            for id in attachment::slack_user_refs(text) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let users = self.store().get_users_by_ids(&ids).await?;
        Ok(users.into_iter().map(|u| (u.id, u.username)).collect())
    }

    /// Convert Slack markup in an integration's message and attachments (what
    /// incoming and outgoing webhooks and command responses do unless told to skip it).
    pub async fn convert_slack_markup(&self, text: &mut String, attachments: &mut [Attachment]) -> Result<()> {
        let names = self.slack_usernames(std::iter::once(text.as_str()).chain(attachment::convertible_texts(attachments))).await?;
        *text = attachment::slack_to_markdown(text, &names);
        attachment::convert_attachments(attachments, &names);
        Ok(())
    }
}

/// The attachments in `props` checked, numbered and stored back with the post type
/// Mattermost gives them; a post without attachments is left as it is.
pub(crate) fn prepare_attachments(props: &mut Map<String, Value>, kind: &mut String) -> Result<()> {
    let mut attachments = attachment::from_props(props)?;
    if attachments.is_empty() {
        props.remove(attachment::ATTACHMENTS_PROP);
        return Ok(());
    }
    attachment::validate(&attachments)?;
    attachment::assign_ids(&mut attachments);
    attachment::store_in(props, kind, attachments);
    Ok(())
}
