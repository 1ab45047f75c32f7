//! Incoming and outgoing webhooks: CRUD with Mattermost's permissions, posting through an incoming hook (channel redirects, overrides, Slack markup, splitting), and firing outgoing hooks after a person's post in a public channel.
//!
//! Permissions follow Mattermost's default roles: managing webhooks
//! (`manage_own_*_webhooks`, `manage_others_*_webhooks`) belongs to team admins and
//! system admins; ordinary team members have neither.
//!
//! Outgoing hooks run off the request path: `create_post` hands the stored post to
//! [`Services::spawn_outgoing_webhooks`], which returns at once; the calls, their
//! timeout and the reply posts happen in a spawned task whose failures are only logged.
//! Replies are created as webhook posts, which never trigger outgoing hooks, so a reply
//! that contains the trigger word cannot loop.

use futures_util::future::join_all;
use serde_json::{Map, Value, json};

use super::posts::PostOrigin;
use super::{Actor, Caller, Error, Services, now_ms};
use crate::domain::attachment::{self, Attachment};
use crate::domain::post::NewPost;
use crate::domain::webhook::{
    self, DEFAULT_WEBHOOK_USERNAME, IncomingWebhook, IncomingWebhookRequest, JSON_CONTENT_TYPE, MAX_RESPONSE_BYTES, OutgoingWebhook, OutgoingWebhookPayload,
    OutgoingWebhookResponse, PostPriority, RESPONSE_TYPE_COMMENT,
};
use crate::domain::{Channel, Invalid, Paging, Post, User};
use crate::ids::{is_valid_id, new_id};
use crate::outbound::redact_url;
use crate::store::{self, HookFilter};

/// Mattermost's 404 for incoming hooks in the management API.
pub const INCOMING_NOT_FOUND: &str = "app.webhooks.get_incoming.app_error";
/// Mattermost's 404 for outgoing hooks.
pub const OUTGOING_NOT_FOUND: &str = "app.webhooks.get_outgoing.app_error";

/// Webhook settings (Mattermost's `ServiceSettings` keys of the same names).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `EnableIncomingWebhooks`.
    pub enable_incoming: bool,
    /// `EnableOutgoingWebhooks`.
    pub enable_outgoing: bool,
    /// `MaxPostSize` in runes: longer webhook messages are split into several posts.
    pub max_post_size: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings { enable_incoming: true, enable_outgoing: true, max_post_size: crate::domain::post::MAX_MESSAGE_RUNES }
    }
}

/// Why a webhook use case failed: a service error, or one of the webhook answers
/// whose status Mattermost fixes (501 when disabled, 400 for an unknown hook id, ...).
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error(transparent)]
    Service(#[from] Error),
    #[error("{message}")]
    Status { status: u16, id: &'static str, message: String },
}

impl From<Invalid> for WebhookError {
    fn from(e: Invalid) -> WebhookError {
        WebhookError::Service(e.into())
    }
}

impl From<store::Error> for WebhookError {
    fn from(e: store::Error) -> WebhookError {
        WebhookError::Service(e.into())
    }
}

fn status(status: u16, id: &'static str, message: &str) -> WebhookError {
    WebhookError::Status { status, id, message: message.to_string() }
}

/// Result of a webhook use case.
pub type HookResult<T> = std::result::Result<T, WebhookError>;

/// `GET /hooks/incoming` filters.
#[derive(Debug, Clone, Default)]
pub struct HookListQuery {
    pub team_id: Option<String>,
    pub channel_id: Option<String>,
    pub paging: Paging,
}

/// What a webhook post says before it is resolved into posts (shared by incoming
/// hooks and outgoing hooks' replies).
#[derive(Debug, Clone, Default)]
struct WebhookPost {
    text: String,
    username: String,
    icon_url: String,
    icon_emoji: String,
    props: Map<String, Value>,
    attachments: Option<Value>,
    kind: String,
    priority: Option<PostPriority>,
    display_name: String,
}

/// A post ready to be created.
#[derive(Debug, Clone)]
struct PostPart {
    message: String,
    props: Map<String, Value>,
    kind: String,
    /// `metadata.priority`, on every part.
    priority: Option<Value>,
}

impl Services {
    fn webhook_settings(&self) -> &WebhookSettings {
        &self.settings().webhooks
    }

    fn require_incoming_enabled(&self) -> HookResult<()> {
        if self.webhook_settings().enable_incoming {
            Ok(())
        } else {
            Err(status(501, "api.incoming_webhook.disabled.app_error", "Incoming webhooks have been disabled by the system admin."))
        }
    }

    fn require_outgoing_enabled(&self) -> HookResult<()> {
        if self.webhook_settings().enable_outgoing {
            Ok(())
        } else {
            Err(status(501, "api.outgoing_webhook.disabled.app_error", "Outgoing webhooks have been disabled by the system admin."))
        }
    }

    /// Mattermost's `manage_own_*_webhooks` on `team_id` (plus `manage_others_*` when
    /// the hook is someone else's): both belong to team and system admins.
    async fn require_manage_webhooks(&self, caller: &Caller, team_id: &str) -> HookResult<()> {
        if caller.is_admin() {
            return Ok(());
        }
        match self.store().get_team_member(team_id, caller.user_id()).await {
            Ok(member) if member.is_admin() => Ok(()),
            Ok(_) | Err(store::Error::NotFound) => Err(Error::forbidden().into()),
            Err(e) => Err(e.into()),
        }
    }

    /// The override fields an integration may set, blanked when the settings forbid them.
    fn blank_overrides(&self, username: &mut String, icon_url: &mut String) {
        if !self.settings().enable_post_username_override {
            username.clear();
        }
        if !self.settings().enable_post_icon_override {
            icon_url.clear();
        }
    }

    /// `POST /hooks/incoming`.
    pub async fn create_incoming_webhook(&self, caller: &Caller, mut hook: IncomingWebhook) -> HookResult<IncomingWebhook> {
        self.require_incoming_enabled()?;
        hook.validate()?;
        let channel = self.channel_by_id(&hook.channel_id).await?;
        self.require_manage_webhooks(caller, &channel.team_id).await?;
        self.require_channel_readable(caller, &channel).await?;
        let owner = if hook.user_id.is_empty() || hook.user_id == caller.user_id() {
            caller.user_id().to_string()
        } else {
            self.get_user_checked(&hook.user_id).await?.id
        };
        if owner.is_empty() {
            return Err(Invalid::new("model.incoming_hook.user_id.app_error", "Invalid user id.").into());
        }
        self.blank_overrides(&mut hook.username, &mut hook.icon_url);
        let now = now_ms();
        let hook = IncomingWebhook { id: new_id(), create_at: now, update_at: now, delete_at: 0, user_id: owner, team_id: channel.team_id.clone(), ..hook };
        self.store().insert_incoming_webhook(&hook).await?;
        Ok(hook)
    }

    /// A live incoming hook by id for the management API (404 when unknown).
    async fn incoming_webhook(&self, hook_id: &str) -> HookResult<IncomingWebhook> {
        if !is_valid_id(hook_id) {
            return Err(Error::not_found(INCOMING_NOT_FOUND, "incoming webhook").into());
        }
        match self.store().get_incoming_webhook(hook_id).await {
            Ok(hook) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(INCOMING_NOT_FOUND, "incoming webhook").into()),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /hooks/incoming/{hook_id}`.
    pub async fn get_incoming_webhook(&self, caller: &Caller, hook_id: &str) -> HookResult<IncomingWebhook> {
        self.require_incoming_enabled()?;
        let hook = self.incoming_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        Ok(hook)
    }

    /// `GET /hooks/incoming`: a team's hooks (its team admins), or every hook (system
    /// admins only: the permission without a team is a system-wide one). Returns the
    /// page and the total.
    pub async fn list_incoming_webhooks(&self, caller: &Caller, query: HookListQuery) -> HookResult<(Vec<IncomingWebhook>, i64)> {
        self.require_incoming_enabled()?;
        let filter = HookFilter { team_id: query.team_id.clone(), channel_id: None };
        match &query.team_id {
            Some(team_id) => self.require_manage_webhooks(caller, team_id).await?,
            None => caller.require_admin()?,
        }
        let hooks = self.store().list_incoming_webhooks(&filter, query.paging).await?;
        let total = self.store().count_incoming_webhooks(&filter).await?;
        Ok((hooks, total))
    }

    /// `PUT /hooks/incoming/{hook_id}`: the editable fields; a new channel must be in the hook's team.
    pub async fn update_incoming_webhook(&self, caller: &Caller, hook_id: &str, update: IncomingWebhook) -> HookResult<IncomingWebhook> {
        self.require_incoming_enabled()?;
        if update.id != hook_id {
            return Err(Invalid::new("api.context.invalid_param.app_error", "Invalid hook_id parameter: the body's id differs from the URL's.").into());
        }
        let old = self.incoming_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &old.team_id).await?;
        let channel_id = if update.channel_id.is_empty() { old.channel_id.clone() } else { update.channel_id.clone() };
        let mut hook = IncomingWebhook {
            channel_id,
            display_name: update.display_name,
            description: update.description,
            username: update.username,
            icon_url: update.icon_url,
            channel_locked: update.channel_locked,
            update_at: now_ms(),
            ..old.clone()
        };
        hook.validate()?;
        if hook.channel_id != old.channel_id {
            let channel = self.channel_by_id(&hook.channel_id).await?;
            if channel.team_id != old.team_id {
                return Err(Invalid::new("api.webhook.team_mismatch.app_error", "Unable to update a webhook across teams.").into());
            }
            self.require_channel_readable(caller, &channel).await?;
        }
        self.blank_overrides(&mut hook.username, &mut hook.icon_url);
        match self.store().update_incoming_webhook(&hook).await {
            Ok(()) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(INCOMING_NOT_FOUND, "incoming webhook").into()),
            Err(e) => Err(e.into()),
        }
    }

    /// `DELETE /hooks/incoming/{hook_id}`.
    pub async fn delete_incoming_webhook(&self, caller: &Caller, hook_id: &str) -> HookResult<()> {
        self.require_incoming_enabled()?;
        let hook = self.incoming_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        match self.store().delete_incoming_webhook(&hook.id, now_ms()).await {
            Ok(()) => Ok(()),
            Err(store::Error::NotFound) => Err(Error::not_found(INCOMING_NOT_FOUND, "incoming webhook").into()),
            Err(e) => Err(e.into()),
        }
    }

    /// `POST /hooks/{hook_id}`: post what an integration sent. Everything that can be
    /// refused is checked before anything is written; the posts are created as the
    /// hook's owner through the ordinary post path (plugin hooks included).
    pub async fn execute_incoming_webhook(
        &self,
        ctx: confab_host::types::PluginContext,
        hook_id: &str,
        request: IncomingWebhookRequest,
    ) -> HookResult<Vec<Post>> {
        if !self.webhook_settings().enable_incoming {
            return Err(status(501, "web.incoming_webhook.disabled.app_error", "Incoming webhooks have been disabled by the system admin."));
        }
        let has_attachments = request.attachments.as_ref().is_some_and(|a| !a.is_null() && a.as_array().is_none_or(|list| !list.is_empty()));
        if request.text.is_empty() && !has_attachments {
            return Err(status(400, "web.incoming_webhook.text.app_error", "No text specified."));
        }
        let invalid_hook = || status(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.");
        if !is_valid_id(hook_id) {
            return Err(invalid_hook());
        }
        let hook = match self.store().get_incoming_webhook(hook_id).await {
            Ok(hook) => hook,
            Err(store::Error::NotFound) => return Err(invalid_hook()),
            Err(e) => return Err(e.into()),
        };
        let mut props = request.props.unwrap_or_default();
        // `attachments` inside props is not how attachments are sent; the top-level
        // field is (Mattermost drops the props copy too).
        props.remove(attachment::ATTACHMENTS_PROP);
        let parts = self
            .webhook_post_parts(WebhookPost {
                text: request.text,
                username: if request.username.is_empty() { hook.username.clone() } else { request.username },
                icon_url: if request.icon_url.is_empty() { hook.icon_url.clone() } else { request.icon_url },
                icon_emoji: request.icon_emoji,
                props,
                attachments: request.attachments,
                kind: request.kind,
                priority: request.priority,
                display_name: hook.display_name.clone(),
            })
            .await?;

        let user_error = |status_code| status(status_code, "web.incoming_webhook.user.app_error", "Couldn't find the user.");
        let owner = match self.store().get_user(&hook.user_id).await {
            Ok(user) if user.delete_at == 0 => user,
            Ok(_) | Err(store::Error::NotFound) => return Err(user_error(403)),
            Err(e) => return Err(e.into()),
        };
        let channel_error = || status(404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.");
        let locked = || status(403, "web.incoming_webhook.channel_locked.app_error", "This webhook is not permitted to post to the requested channel.");
        let channel = match request.channel_name.as_str() {
            "" => match self.store().get_channel(&hook.channel_id).await {
                Ok(channel) => channel,
                Err(store::Error::NotFound) => return Err(channel_error()),
                Err(e) => return Err(e.into()),
            },
            name if name.starts_with('@') => {
                let target = match self.store().get_user_by_username(&name[1..]).await {
                    Ok(user) if user.delete_at == 0 => user,
                    Ok(_) | Err(store::Error::NotFound) => return Err(user_error(400)),
                    Err(e) => return Err(e.into()),
                };
                let dm_name = crate::domain::channel::direct_channel_name(&owner.id, &target.id);
                match self.store().get_channel_by_name("", &dm_name).await {
                    Ok(channel) => channel,
                    // A direct channel is never the hook's own channel: refuse before creating it.
                    Err(store::Error::NotFound) if hook.channel_locked => return Err(locked()),
                    Err(store::Error::NotFound) => {
                        let owner_caller = webhook_caller(&owner, ctx.clone());
                        self.create_direct_channel(&owner_caller, &[owner.id.clone(), target.id.clone()]).await?.0
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            name => {
                let name = name.strip_prefix('#').unwrap_or(name);
                match self.store().get_channel_by_name(&hook.team_id, name).await {
                    Ok(channel) => channel,
                    Err(store::Error::NotFound) => return Err(channel_error()),
                    Err(e) => return Err(e.into()),
                }
            }
        };
        if hook.channel_locked && channel.id != hook.channel_id {
            return Err(locked());
        }
        if !channel.is_public() && !owner.is_admin() && !self.is_channel_member(&channel.id, &owner.id).await? {
            return Err(status(403, "web.incoming_webhook.permissions.app_error", "The webhook's owner may not post in the requested channel."));
        }
        self.create_webhook_posts(&owner, &channel, parts, "", ctx).await
    }

    /// Check and convert what a webhook post says, and split it into posts: type and
    /// priority rules, overrides as the settings allow, Slack markup, attachments
    /// checked, the message split at the maximum post size.
    async fn webhook_post_parts(&self, post: WebhookPost) -> HookResult<Vec<PostPart>> {
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
    async fn prepare_slack_content(&self, text: &mut String, attachments: Option<Value>) -> HookResult<Vec<Value>> {
        let mut attachments: Vec<Attachment> = match attachments {
            None | Some(Value::Null) => Vec::new(),
            Some(value) => attachment::parse(value)?,
        };
        attachment::validate(&attachments)?;
        self.convert_slack_markup(text, &mut attachments).await?;
        Ok(attachments.iter().map(|a| serde_json::to_value(a).expect("attachments serialize")).collect())
    }

    /// Create the parts as webhook posts by `owner` in `channel`, in order.
    async fn create_webhook_posts(
        &self,
        owner: &User,
        channel: &Channel,
        parts: Vec<PostPart>,
        root_id: &str,
        ctx: confab_host::types::PluginContext,
    ) -> HookResult<Vec<Post>> {
        let caller = webhook_caller(owner, ctx);
        let mut posts = Vec::with_capacity(parts.len());
        for PostPart { message, props, kind, priority } in parts {
            let new =
                NewPost { channel_id: channel.id.clone(), message, root_id: root_id.to_string(), kind, props: Some(props), priority, ..NewPost::default() };
            // Mattermost answers any failure to create a webhook post (a plugin's
            // rejection included) with this 500, the cause in the message.
            let post = self.create_post_from(&caller, new, PostOrigin::Webhook).await.map_err(|e| {
                // Server failures are logged, not shown (their text may name internals).
                let cause = match &e {
                    Error::Internal(detail) => {
                        tracing::error!(channel_id = %channel.id, error = %detail, "a webhook post could not be stored");
                        "an internal error occurred".to_string()
                    }
                    other => other.to_string(),
                };
                WebhookError::Status { status: 500, id: "api.post.create_webhook_post.creating.app_error", message: format!("Couldn't create post: {cause}") }
            })?;
            posts.push(post);
        }
        Ok(posts)
    }

    /// `POST /hooks/outgoing`.
    pub async fn create_outgoing_webhook(&self, caller: &Caller, hook: OutgoingWebhook) -> HookResult<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        self.team_by_id(&hook.team_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        let creator = if hook.creator_id.is_empty() || hook.creator_id == caller.user_id() {
            caller.user_id().to_string()
        } else {
            self.get_user_checked(&hook.creator_id).await?.id
        };
        let now = now_ms();
        let mut hook = OutgoingWebhook { id: new_id(), token: new_id(), create_at: now, update_at: now, delete_at: 0, creator_id: creator, ..hook };
        self.check_outgoing(caller, &mut hook).await?;
        self.store().insert_outgoing_webhook(&hook).await?;
        Ok(hook)
    }

    /// The rules shared by create and update: fields, a public channel of the team,
    /// trigger words unless channel-bound, no duplicate of another hook.
    async fn check_outgoing(&self, caller: &Caller, hook: &mut OutgoingWebhook) -> HookResult<()> {
        if hook.content_type.is_empty() {
            hook.content_type = webhook::FORM_CONTENT_TYPE.to_string();
        }
        hook.validate()?;
        if !hook.channel_id.is_empty() {
            let channel = self.channel_by_id(&hook.channel_id).await?;
            if !channel.is_public() {
                return Err(status(403, "api.webhook.create_outgoing.not_open.app_error", "Outgoing webhooks can only be created for public channels."));
            }
            if channel.team_id != hook.team_id {
                return Err(status(403, "api.webhook.create_outgoing.permissions.app_error", "Invalid permissions to create outgoing webhook."));
            }
            self.require_channel_readable(caller, &channel).await?;
        } else if hook.trigger_words.is_empty() {
            return Err(status(400, "api.webhook.create_outgoing.triggers.app_error", "Either trigger_words or channel_id must be set."));
        }
        let others = self.store().team_outgoing_webhooks(&hook.team_id).await?;
        if others.iter().any(|other| other.id != hook.id && other.intersects(hook)) {
            return Err(status(
                400,
                "api.webhook.create_outgoing.intersect.app_error",
                "Outgoing webhooks from the same channel cannot have the same trigger words/callback URLs.",
            ));
        }
        Ok(())
    }

    /// A live outgoing hook by id (404 when unknown).
    async fn outgoing_webhook(&self, hook_id: &str) -> HookResult<OutgoingWebhook> {
        if !is_valid_id(hook_id) {
            return Err(Error::not_found(OUTGOING_NOT_FOUND, "outgoing webhook").into());
        }
        match self.store().get_outgoing_webhook(hook_id).await {
            Ok(hook) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(OUTGOING_NOT_FOUND, "outgoing webhook").into()),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /hooks/outgoing/{hook_id}`.
    pub async fn get_outgoing_webhook(&self, caller: &Caller, hook_id: &str) -> HookResult<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        let hook = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        Ok(hook)
    }

    /// `GET /hooks/outgoing?team_id&channel_id`: by channel or by team (that team's
    /// admins), or every hook (system admins only).
    pub async fn list_outgoing_webhooks(&self, caller: &Caller, query: HookListQuery) -> HookResult<Vec<OutgoingWebhook>> {
        self.require_outgoing_enabled()?;
        let filter = HookFilter { team_id: query.team_id.clone(), channel_id: query.channel_id.clone() };
        if let Some(channel_id) = &query.channel_id {
            let channel = self.channel_by_id(channel_id).await?;
            self.require_manage_webhooks(caller, &channel.team_id).await?;
        } else if let Some(team_id) = &query.team_id {
            self.require_manage_webhooks(caller, team_id).await?;
        } else {
            caller.require_admin()?;
        }
        Ok(self.store().list_outgoing_webhooks(&filter, query.paging).await?)
    }

    /// `PUT /hooks/outgoing/{hook_id}`: the editable fields, checked as on create.
    pub async fn update_outgoing_webhook(&self, caller: &Caller, hook_id: &str, update: OutgoingWebhook) -> HookResult<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        if update.id != hook_id {
            return Err(Invalid::new("api.context.invalid_param.app_error", "Invalid hook_id parameter: the body's id differs from the URL's.").into());
        }
        let old = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &old.team_id).await?;
        let mut hook = OutgoingWebhook {
            channel_id: update.channel_id,
            trigger_words: update.trigger_words,
            trigger_when: update.trigger_when,
            callback_urls: update.callback_urls,
            display_name: update.display_name,
            description: update.description,
            content_type: update.content_type,
            username: update.username,
            icon_url: update.icon_url,
            update_at: now_ms(),
            ..old
        };
        self.check_outgoing(caller, &mut hook).await?;
        self.save_outgoing(hook).await
    }

    /// `POST /hooks/outgoing/{hook_id}/regen_token`.
    pub async fn regenerate_outgoing_token(&self, caller: &Caller, hook_id: &str) -> HookResult<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        let hook = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        self.save_outgoing(OutgoingWebhook { token: new_id(), update_at: now_ms(), ..hook }).await
    }

    async fn save_outgoing(&self, hook: OutgoingWebhook) -> HookResult<OutgoingWebhook> {
        match self.store().update_outgoing_webhook(&hook).await {
            Ok(()) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(OUTGOING_NOT_FOUND, "outgoing webhook").into()),
            Err(e) => Err(e.into()),
        }
    }

    /// `DELETE /hooks/outgoing/{hook_id}`.
    pub async fn delete_outgoing_webhook(&self, caller: &Caller, hook_id: &str) -> HookResult<()> {
        self.require_outgoing_enabled()?;
        let hook = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        match self.store().delete_outgoing_webhook(&hook.id, now_ms()).await {
            Ok(()) => Ok(()),
            Err(store::Error::NotFound) => Err(Error::not_found(OUTGOING_NOT_FOUND, "outgoing webhook").into()),
            Err(e) => Err(e.into()),
        }
    }

    /// After a person's post is stored: fire the team's matching outgoing hooks in a
    /// spawned task. Returns at once; nothing here can fail or delay the post. Private
    /// and direct channels never fire; posts made by webhooks never get here
    /// (`PostOrigin::Webhook`).
    pub(crate) fn spawn_outgoing_webhooks(&self, channel: &Channel, author: &User, post: &Post) {
        if !self.webhook_settings().enable_outgoing || !channel.is_public() {
            return;
        }
        let services = self.clone();
        let (channel, author, post) = (channel.clone(), author.clone(), post.clone());
        tokio::spawn(async move {
            if let Err(e) = services.fire_outgoing_webhooks(&channel, &author, &post).await {
                tracing::warn!(post_id = %post.id, error = %e, "outgoing webhooks could not run");
            }
        });
    }

    async fn fire_outgoing_webhooks(&self, channel: &Channel, author: &User, post: &Post) -> HookResult<()> {
        let hooks = self.store().team_outgoing_webhooks(&channel.team_id).await?;
        let first_word = webhook::first_word(&post.message);
        let fired: Vec<(OutgoingWebhook, String)> =
            hooks.into_iter().filter_map(|hook| hook.trigger_for(&channel.id, first_word).map(|word| (hook, word))).collect();
        if fired.is_empty() {
            return Ok(());
        }
        let team = self.store().get_team(&channel.team_id).await?;
        let mut calls = Vec::new();
        for (hook, trigger_word) in &fired {
            let payload = OutgoingWebhookPayload {
                token: hook.token.clone(),
                team_id: hook.team_id.clone(),
                team_domain: team.name.clone(),
                channel_id: channel.id.clone(),
                channel_name: channel.name.clone(),
                timestamp: post.create_at,
                user_id: post.user_id.clone(),
                user_name: author.username.clone(),
                post_id: post.id.clone(),
                text: post.message.clone(),
                trigger_word: trigger_word.clone(),
                file_ids: String::new(),
            };
            let (content_type, body) = if hook.content_type == JSON_CONTENT_TYPE {
                (JSON_CONTENT_TYPE, serde_json::to_vec(&payload).expect("payloads serialize"))
            } else {
                (webhook::FORM_CONTENT_TYPE, form_encode(&payload.form_fields()).into_bytes())
            };
            for url in &hook.callback_urls {
                calls.push(self.call_outgoing_webhook(hook, url, content_type, body.clone(), channel, post));
            }
        }
        // Every URL of every hook at once, as Mattermost does.
        join_all(calls).await;
        Ok(())
    }

    /// POST the payload to one callback URL and post the answer, if any. Failures
    /// (refused address, timeout, oversized or non-JSON answer) are logged only.
    async fn call_outgoing_webhook(&self, hook: &OutgoingWebhook, url: &str, content_type: &str, body: Vec<u8>, channel: &Channel, post: &Post) {
        let outbound = self.outbound();
        let request = match outbound.request(reqwest::Method::POST, url) {
            Ok(request) => request.header(reqwest::header::CONTENT_TYPE, content_type).header(reqwest::header::ACCEPT, "application/json").body(body),
            Err(e) => {
                tracing::warn!(hook_id = %hook.id, url = %redact_url(url), error = %e, "outgoing webhook refused");
                return;
            }
        };
        let response = match outbound.send(request, MAX_RESPONSE_BYTES).await {
            Ok(response) => response,
            Err(e) => {
                tracing::warn!(hook_id = %hook.id, url = %redact_url(url), error = %e, "outgoing webhook call failed");
                return;
            }
        };
        // Mattermost reads the body whatever the status; an empty or non-JSON body is no reply.
        let Ok(answer) = serde_json::from_slice::<OutgoingWebhookResponse>(&response.body) else {
            if !response.body.is_empty() {
                tracing::info!(hook_id = %hook.id, url = %redact_url(url), status = response.status, "outgoing webhook answered with something that is not JSON; ignored");
            }
            return;
        };
        if let Err(e) = self.post_outgoing_reply(hook, answer, channel, post).await {
            tracing::warn!(hook_id = %hook.id, url = %redact_url(url), error = %e, "the outgoing webhook's reply could not be posted");
        }
    }

    async fn post_outgoing_reply(&self, hook: &OutgoingWebhook, answer: OutgoingWebhookResponse, channel: &Channel, post: &Post) -> HookResult<()> {
        if crate::domain::text::serialized_has_nul(&answer) {
            return Err(crate::domain::text::nul_refused().into());
        }
        let has_attachments = answer.attachments.as_ref().is_some_and(|a| a.as_array().is_some_and(|list| !list.is_empty()));
        if answer.text.is_none() && !has_attachments {
            return Ok(());
        }
        // Replies go to the thread's root (a reply to a reply is not a thread).
        let root_id = if answer.response_type == RESPONSE_TYPE_COMMENT {
            if post.root_id.is_empty() { post.id.clone() } else { post.root_id.clone() }
        } else {
            String::new()
        };
        let mut props = answer.props.unwrap_or_default();
        props.remove(attachment::ATTACHMENTS_PROP);
        let parts = self
            .webhook_post_parts(WebhookPost {
                text: answer.text.unwrap_or_default(),
                username: if answer.username.is_empty() { hook.username.clone() } else { answer.username },
                icon_url: if answer.icon_url.is_empty() { hook.icon_url.clone() } else { answer.icon_url },
                icon_emoji: String::new(),
                props,
                attachments: answer.attachments,
                kind: answer.kind,
                priority: answer.priority,
                display_name: hook.display_name.clone(),
            })
            .await?;
        let creator = self.get_user_checked(&hook.creator_id).await?;
        self.create_webhook_posts(&creator, channel, parts, &root_id, Default::default()).await?;
        Ok(())
    }
}

/// The caller a webhook post is created by: its owner, without a session.
fn webhook_caller(owner: &User, ctx: confab_host::types::PluginContext) -> Caller {
    Caller { actor: Actor::User { user: Box::new(owner.clone()), session_id: String::new() }, ctx }
}

/// `application/x-www-form-urlencoded` of `fields` (what Go's `url.Values.Encode` sends,
/// in our field order).
fn form_encode(fields: &[(&str, String)]) -> String {
    fn encode(s: &str, out: &mut String) {
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(b as char),
                b' ' => out.push('+'),
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
    }
    let mut out = String::new();
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(name, &mut out);
        out.push('=');
        encode(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_like_go() {
        let fields = [("text", "deploy api & more/ü".to_string()), ("trigger_word", "deploy".to_string())];
        assert_eq!(form_encode(&fields), "text=deploy+api+%26+more%2F%C3%BC&trigger_word=deploy");
    }
}
