//! Incoming webhooks: management with Mattermost's permissions, and posting through a hook (channel redirects, overrides, the owner's right to post there).

use confab_host::types::PluginContext;

use super::*;
use crate::domain::error_ids;

impl Webhooks<'_> {
    /// `POST /hooks/incoming`.
    pub async fn create_incoming_webhook(&self, caller: &Caller, mut hook: IncomingWebhook) -> Result<IncomingWebhook> {
        self.require_incoming_enabled()?;
        hook.validate()?;
        let channel = self.channels().channel_by_id(&hook.channel_id).await?;
        self.require_manage_webhooks(caller, &channel.team_id).await?;
        self.channels().require_channel_readable(caller, &channel).await?;
        let owner = if hook.user_id.is_empty() || hook.user_id == caller.user_id() {
            caller.user_id().to_string()
        } else {
            self.users().get_user_checked(&hook.user_id).await?.id
        };
        if owner.is_empty() {
            return Err(Invalid::new(error_ids::webhooks::INCOMING_HOOK_USER_ID, "Invalid user id.").into());
        }
        self.blank_overrides(&mut hook.username, &mut hook.icon_url);
        let now = now_ms();
        let hook = IncomingWebhook { id: new_id(), create_at: now, update_at: now, delete_at: 0, user_id: owner, team_id: channel.team_id.clone(), ..hook };
        self.store().insert_incoming_webhook(&hook).await?;
        Ok(hook)
    }

    /// A live incoming hook by id for the management API (404 when unknown).
    pub(super) async fn incoming_webhook(&self, hook_id: &str) -> Result<IncomingWebhook> {
        if !is_valid_id(hook_id) {
            return Err(Error::not_found(error_ids::webhooks::INCOMING_NOT_FOUND, "incoming webhook"));
        }
        match self.store().get_incoming_webhook(hook_id).await {
            Ok(hook) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::webhooks::INCOMING_NOT_FOUND, "incoming webhook")),
            Err(e) => Err(e.into()),
        }
    }

    /// `GET /hooks/incoming/{hook_id}`.
    pub async fn get_incoming_webhook(&self, caller: &Caller, hook_id: &str) -> Result<IncomingWebhook> {
        self.require_incoming_enabled()?;
        let hook = self.incoming_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        Ok(hook)
    }

    /// `GET /hooks/incoming`: a team's hooks (its team admins), or every hook (system
    /// admins only: the permission without a team is a system-wide one). Returns the
    /// page and the total.
    pub async fn list_incoming_webhooks(&self, caller: &Caller, query: HookListQuery) -> Result<(Vec<IncomingWebhook>, i64)> {
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
    pub async fn update_incoming_webhook(&self, caller: &Caller, hook_id: &str, update: IncomingWebhook) -> Result<IncomingWebhook> {
        self.require_incoming_enabled()?;
        if update.id != hook_id {
            return Err(Invalid::new(error_ids::context::INVALID_PARAM, "Invalid hook_id parameter: the body's id differs from the URL's.").into());
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
            let channel = self.channels().channel_by_id(&hook.channel_id).await?;
            if channel.team_id != old.team_id {
                return Err(Invalid::new(error_ids::webhooks::WEBHOOK_TEAM_MISMATCH, "Unable to update a webhook across teams.").into());
            }
            self.channels().require_channel_readable(caller, &channel).await?;
        }
        self.blank_overrides(&mut hook.username, &mut hook.icon_url);
        match self.store().update_incoming_webhook(&hook).await {
            Ok(()) => Ok(hook),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::webhooks::INCOMING_NOT_FOUND, "incoming webhook")),
            Err(e) => Err(e.into()),
        }
    }

    /// `DELETE /hooks/incoming/{hook_id}`.
    pub async fn delete_incoming_webhook(&self, caller: &Caller, hook_id: &str) -> Result<()> {
        self.require_incoming_enabled()?;
        let hook = self.incoming_webhook(hook_id).await?;
        self.require_manage_webhooks(caller, &hook.team_id).await?;
        match self.store().delete_incoming_webhook(&hook.id, now_ms()).await {
            Ok(()) => Ok(()),
            Err(store::Error::NotFound) => Err(Error::not_found(error_ids::webhooks::INCOMING_NOT_FOUND, "incoming webhook")),
            Err(e) => Err(e.into()),
        }
    }

    /// `POST /hooks/{hook_id}`: post what an integration sent. Everything that can be
    /// refused is checked before anything is written; the posts are created as the
    /// hook's owner through the ordinary post path (plugin hooks included).
    pub async fn execute_incoming_webhook(&self, ctx: PluginContext, hook_id: &str, request: IncomingWebhookRequest) -> Result<Vec<Post>> {
        if !self.webhook_settings().enable_incoming {
            return Err(Error::Disabled {
                id: error_ids::webhooks::WEB_INCOMING_WEBHOOK_DISABLED,
                message: "Incoming webhooks have been disabled by the system admin.".into(),
            });
        }
        let has_attachments = request.attachments.as_ref().is_some_and(|a| !a.is_null() && a.as_array().is_none_or(|list| !list.is_empty()));
        if request.text.is_empty() && !has_attachments {
            return Err(Error::Invalid(Invalid::new(error_ids::webhooks::INCOMING_WEBHOOK_TEXT, "No text specified.")));
        }
        let invalid_hook = || Error::Invalid(Invalid::new(error_ids::webhooks::INCOMING_WEBHOOK_INVALID, "Invalid webhook."));
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

        let owner = match self.store().get_user(&hook.user_id).await {
            Ok(user) if user.delete_at == 0 => user,
            Ok(_) | Err(store::Error::NotFound) => return Err(owner_gone()),
            Err(e) => return Err(e.into()),
        };
        let channel = self.target_channel(&hook, &owner, &request.channel_name, &ctx).await?;
        if hook.channel_locked && channel.id != hook.channel_id {
            return Err(channel_locked());
        }
        if !channel.is_public() && !owner.is_admin() && !self.channels().is_channel_member(&channel.id, &owner.id).await? {
            return Err(Error::Forbidden {
                id: error_ids::webhooks::INCOMING_WEBHOOK_PERMISSIONS,
                message: "The webhook's owner may not post in the requested channel.".into(),
            });
        }
        self.create_webhook_posts(&owner, &channel, parts, "", ctx).await
    }

    /// Where an incoming hook's post goes: the hook's channel, or the one the request
    /// names (`#channel` in the hook's team, `@user` for a direct channel with the
    /// owner, created if needed unless the hook is locked to its channel).
    async fn target_channel(&self, hook: &IncomingWebhook, owner: &User, channel_name: &str, ctx: &PluginContext) -> Result<Channel> {
        Ok(match channel_name {
            "" => match self.store().get_channel(&hook.channel_id).await {
                Ok(channel) => channel,
                Err(store::Error::NotFound) => return Err(channel_error()),
                Err(e) => return Err(e.into()),
            },
            name if name.starts_with('@') => {
                let target = match self.store().get_user_by_username(&name[1..]).await {
                    Ok(user) if user.delete_at == 0 => user,
                    Ok(_) | Err(store::Error::NotFound) => return Err(target_not_found()),
                    Err(e) => return Err(e.into()),
                };
                let dm_name = crate::domain::channel::direct_channel_name(&owner.id, &target.id);
                match self.store().get_channel_by_name("", &dm_name).await {
                    Ok(channel) => channel,
                    // A direct channel is never the hook's own channel: refuse before creating it.
                    Err(store::Error::NotFound) if hook.channel_locked => return Err(channel_locked()),
                    Err(store::Error::NotFound) => {
                        let owner_caller = webhook_caller(owner, ctx.clone());
                        self.channels().create_direct_channel(&owner_caller, &[owner.id.clone(), target.id.clone()]).await?.0
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
        })
    }
}

/// The hook's owner is gone: Mattermost answers 403.
fn owner_gone() -> Error {
    Error::Forbidden { id: error_ids::webhooks::INCOMING_WEBHOOK_USER, message: "Couldn't find the user.".into() }
}

/// The `@user` a request names does not exist: Mattermost answers 400.
fn target_not_found() -> Error {
    Error::Invalid(Invalid::new(error_ids::webhooks::INCOMING_WEBHOOK_USER, "Couldn't find the user."))
}

fn channel_error() -> Error {
    Error::NotFound { id: error_ids::webhooks::INCOMING_WEBHOOK_CHANNEL, message: "Couldn't find the channel.".into() }
}

fn channel_locked() -> Error {
    Error::Forbidden {
        id: error_ids::webhooks::INCOMING_WEBHOOK_CHANNEL_LOCKED,
        message: "This webhook is not permitted to post to the requested channel.".into(),
    }
}
