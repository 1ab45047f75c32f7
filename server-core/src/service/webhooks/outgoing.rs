//! Outgoing webhooks: management with Mattermost's permissions, and firing them off the request path after a person's post in a public channel.

use super::*;
use crate::domain::error_ids;

impl Webhooks<'_> {
    /// `POST /hooks/outgoing`.
    pub async fn create_outgoing_webhook(&self, caller: &Caller, hook: OutgoingWebhook) -> Result<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        self.teams().team_by_id(&hook.team_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        let creator = if hook.creator_id.is_empty() || hook.creator_id == caller.user_id() {
            caller.user_id().to_string()
        } else {
            self.users().get_user_checked(&hook.creator_id).await?.id
        };
        let now = now_ms();
        let mut hook = OutgoingWebhook { id: new_id(), token: new_id(), create_at: now, update_at: now, delete_at: 0, creator_id: creator, ..hook };
        self.check_outgoing(caller, &mut hook).await?;
        self.store().insert_outgoing_webhook(&hook).await?;
        Ok(hook)
    }

    /// The rules shared by create and update: fields, a public channel of the team,
    /// trigger words unless channel-bound, no duplicate of another hook.
    pub(super) async fn check_outgoing(&self, caller: &Caller, hook: &mut OutgoingWebhook) -> Result<()> {
        if hook.content_type.is_empty() {
            hook.content_type = webhook::FORM_CONTENT_TYPE.to_string();
        }
        hook.validate()?;
        if !hook.channel_id.is_empty() {
            let channel = self.channels().channel_by_id(&hook.channel_id).await?;
            if !channel.is_public() {
                return Err(Error::Forbidden {
                    id: error_ids::webhooks::WEBHOOK_CREATE_OUTGOING_NOT_OPEN,
                    message: "Outgoing webhooks can only be created for public channels.".into(),
                });
            }
            if channel.team_id != hook.team_id {
                return Err(Error::Forbidden {
                    id: error_ids::webhooks::WEBHOOK_CREATE_OUTGOING_PERMISSIONS,
                    message: "Invalid permissions to create outgoing webhook.".into(),
                });
            }
            self.channels().require_channel_readable(caller, &channel).await?;
        } else if hook.trigger_words.is_empty() {
            return Err(Error::Invalid(Invalid::new(error_ids::webhooks::WEBHOOK_CREATE_OUTGOING_TRIGGERS, "Either trigger_words or channel_id must be set.")));
        }
        let others = self.store().team_outgoing_webhooks(&hook.team_id).await?;
        if others.iter().any(|other| other.id != hook.id && other.intersects(hook)) {
            return Err(Error::Invalid(Invalid::new(
                error_ids::webhooks::WEBHOOK_CREATE_OUTGOING_INTERSECT,
                "Outgoing webhooks from the same channel cannot have the same trigger words/callback URLs.",
            )));
        }
        Ok(())
    }

    /// A live outgoing hook by id (404 when unknown).
    pub(super) async fn outgoing_webhook(&self, hook_id: &str) -> Result<OutgoingWebhook> {
        if !is_valid_id(hook_id) {
            return Err(Error::not_found(error_ids::webhooks::OUTGOING_NOT_FOUND, "outgoing webhook"));
        }
        match self.store().get_outgoing_webhook(hook_id).await {
            Ok(hook) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::webhooks::OUTGOING_NOT_FOUND, "outgoing webhook")),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /hooks/outgoing/{hook_id}`.
    pub async fn get_outgoing_webhook(&self, caller: &Caller, hook_id: &str) -> Result<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        let hook = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        Ok(hook)
    }

    /// `GET /hooks/outgoing?team_id&channel_id`: by channel or by team (that team's
    /// admins), or every hook (system admins only).
    pub async fn list_outgoing_webhooks(&self, caller: &Caller, query: HookListQuery) -> Result<Vec<OutgoingWebhook>> {
        self.require_outgoing_enabled()?;
        let filter = HookFilter { team_id: query.team_id.clone(), channel_id: query.channel_id.clone() };
        if let Some(channel_id) = &query.channel_id {
            let channel = self.channels().channel_by_id(channel_id).await?;
            self.require_manage_webhooks(caller, &channel.team_id).await?;
        } else if let Some(team_id) = &query.team_id {
            self.require_manage_webhooks(caller, team_id).await?;
        } else {
            caller.require_admin()?;
        }
        Ok(self.store().list_outgoing_webhooks(&filter, query.paging).await?)
    }

    /// `PUT /hooks/outgoing/{hook_id}`: the editable fields, checked as on create.
    pub async fn update_outgoing_webhook(&self, caller: &Caller, hook_id: &str, update: OutgoingWebhook) -> Result<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        if update.id != hook_id {
            return Err(Invalid::new(error_ids::context::INVALID_PARAM, "Invalid hook_id parameter: the body's id differs from the URL's.").into());
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
    pub async fn regenerate_outgoing_token(&self, caller: &Caller, hook_id: &str) -> Result<OutgoingWebhook> {
        self.require_outgoing_enabled()?;
        let hook = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        self.save_outgoing(OutgoingWebhook { token: new_id(), update_at: now_ms(), ..hook }).await
    }

    pub(super) async fn save_outgoing(&self, hook: OutgoingWebhook) -> Result<OutgoingWebhook> {
        match self.store().update_outgoing_webhook(&hook).await {
            Ok(()) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::webhooks::OUTGOING_NOT_FOUND, "outgoing webhook")),
            Err(e) => Err(e.into()),
        }
    }

    /// `DELETE /hooks/outgoing/{hook_id}`.
    pub async fn delete_outgoing_webhook(&self, caller: &Caller, hook_id: &str) -> Result<()> {
        self.require_outgoing_enabled()?;
        let hook = self.outgoing_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        match self.store().delete_outgoing_webhook(&hook.id, now_ms()).await {
            Ok(()) => Ok(()),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::webhooks::OUTGOING_NOT_FOUND, "outgoing webhook")),
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
        let services = Services::clone(self);
        let (channel, author, post) = (channel.clone(), author.clone(), post.clone());
        tokio::spawn(async move {
            if let Err(e) = services.webhooks().fire_outgoing_webhooks(&channel, &author, &post).await {
                tracing::warn!(post_id = %post.id, error = %e, "outgoing webhooks could not run");
            }
        });
    }

    pub(super) async fn fire_outgoing_webhooks(&self, channel: &Channel, author: &User, post: &Post) -> Result<()> {
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
    pub(super) async fn call_outgoing_webhook(&self, hook: &OutgoingWebhook, url: &str, content_type: &str, body: Vec<u8>, channel: &Channel, post: &Post) {
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

    pub(super) async fn post_outgoing_reply(&self, hook: &OutgoingWebhook, answer: OutgoingWebhookResponse, channel: &Channel, post: &Post) -> Result<()> {
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
        let creator = self.users().get_user_checked(&hook.creator_id).await?;
        self.create_webhook_posts(&creator, channel, parts, &root_id, Default::default()).await?;
        Ok(())
    }
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
