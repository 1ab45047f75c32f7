//! A webhook post (an incoming hook's or an outgoing hook's reply) resolved into posts: Slack markup, attachments, overrides and splitting of long messages.

use super::*;
use crate::domain::error_ids;
use crate::service::posts::PostOrigin;

impl Webhooks<'_> {
    /// Check and convert what a webhook post says, and split it into posts: type and
    /// priority rules, overrides as the settings allow, Slack markup, attachments
    /// checked, the message split at the maximum post size.
    pub(super) async fn webhook_post_parts(&self, post: WebhookPost) -> Result<Vec<PostPart>> {
        crate::domain::post::validate_user_type(&post.kind)?;
        if let Some(priority) = &post.priority {
            priority.validate()?;
        }
        let mut text = post.text;
        let attachment_values = self.prepare_slack_content(&mut text, post.attachments).await?;

        let mut props = post.props;
        for reserved in ["override_icon_url", "override_username", "override_icon_emoji", "from_webhook", "webhook_display_name"] {
            props.remove(reserved);
        }
        props.insert("from_webhook".into(), json!("true"));
        props.insert("webhook_display_name".into(), json!(post.display_name));
        let settings = self.webhook_settings();
        if self.settings().enable_post_username_override {
            let name = if post.username.is_empty() { DEFAULT_WEBHOOK_USERNAME.to_string() } else { post.username };
            props.insert("override_username".into(), json!(name));
        }
        if self.settings().enable_post_icon_override {
            if !post.icon_url.is_empty() {
                props.insert("override_icon_url".into(), json!(post.icon_url));
            }
            if !post.icon_emoji.is_empty() {
                props.insert("override_icon_emoji".into(), json!(post.icon_emoji));
            }
        }
        // Posts are never longer than the post rule allows, whatever the setting says.
        let max_runes = settings.max_post_size.clamp(1, crate::domain::post::MAX_MESSAGE_RUNES);
        let split = webhook::split_webhook_post(&text, &props, &attachment_values, max_runes)?;
        // Attachments make every part a `slack_attachment` post, whatever the request said.
        let kind = if attachment_values.is_empty() { post.kind } else { attachment::POST_TYPE_SLACK_ATTACHMENT.to_string() };
        let priority = post.priority.map(|p| serde_json::to_value(p).expect("priorities serialize"));
        Ok(split.into_iter().map(|(message, props)| PostPart { message, props, kind: kind.clone(), priority: priority.clone() }).collect())
    }

    /// Check an integration's attachments and convert Slack markup in its text and
    /// attachments; the attachments come back as JSON, one value each.
    pub(super) async fn prepare_slack_content(&self, text: &mut String, attachments: Option<Value>) -> Result<Vec<Value>> {
        let mut attachments: Vec<Attachment> = match attachments {
            None | Some(Value::Null) => Vec::new(),
            Some(value) => attachment::parse(value)?,
        };
        attachment::validate(&attachments)?;
        self.posts().convert_slack_markup(text, &mut attachments).await?;
        Ok(attachments.iter().map(|a| serde_json::to_value(a).expect("attachments serialize")).collect())
    }

    /// Create the parts as webhook posts by `owner` in `channel`, in order.
    pub(super) async fn create_webhook_posts(
        &self,
        owner: &User,
        channel: &Channel,
        parts: Vec<PostPart>,
        root_id: &str,
        ctx: confab_host::types::PluginContext,
    ) -> Result<Vec<Post>> {
        let caller = webhook_caller(owner, ctx);
        let mut posts = Vec::with_capacity(parts.len());
        for PostPart { message, props, kind, priority } in parts {
            let new =
                NewPost { channel_id: channel.id.clone(), message, root_id: root_id.to_string(), kind, props: Some(props), priority, ..NewPost::default() };
            // Mattermost answers any failure to create a webhook post (a plugin's
            // rejection included) with this 500, the cause in the message.
            let post = self.posts().create_post_from(&caller, new, PostOrigin::Webhook).await.map_err(|e| {
                // Server failures are logged, not shown (their text may name internals).
                let cause = match &e {
                    Error::Internal(detail) => {
                        tracing::error!(channel_id = %channel.id, error = %detail, "a webhook post could not be stored");
                        "an internal error occurred".to_string()
                    }
                    other => other.to_string(),
                };
                Error::Upstream { id: error_ids::posts::CREATE_WEBHOOK_POST_CREATING, message: format!("Couldn't create post: {cause}"), detail: String::new() }
            })?;
            posts.push(post);
        }
        Ok(posts)
    }
}
