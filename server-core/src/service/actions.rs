//! Interactive messages and dialogs: a click on an attachment's button or select calls its integration and applies the answer; dialogs open from a fresh trigger id and only a dialog opened for the user can be submitted, its answer reduced to `error` and `errors`; ephemeral posts' actions carry sealed cookies.
//!
//! Why clients cannot forge an action: the integration URL and context never leave
//! the server in the clear. A click names only a post and an action id; the server
//! takes the integration from the stored post, or, for ephemeral posts (which are not
//! stored), from the action's `cookie`, sealed by the server and bound to that post and
//! action. A client may replay a cookie it was given, which does what clicking would.
//!
//! Integration URLs are either absolute (called through [`crate::outbound`], so the
//! internal-address rules apply) or `/plugins/<id>/...`, handed to that plugin's
//! `serve-http` in process with `Mattermost-User-Id` set, no network involved.

use confab_host::types::HttpRequest;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Caller, Error, Result, now_ms, to_user};
use crate::domain::attachment::{self, Action};
use crate::domain::dialog::{OpenDialog, OpenDialogRequest, SubmitDialogRequest, SubmitDialogResponse};
use crate::domain::error_ids;
use crate::domain::{Invalid, Post};
use crate::ids::new_id;

super::area!(
    /// Interactive messages and dialogs: post actions, dialogs, trigger ids.
    Actions,
    actions
);

/// The purpose bound into sealed cookies.
const COOKIE_PURPOSE: &str = "action-cookie";
/// Largest answer read from an integration (as for outgoing webhooks).
pub const MAX_INTEGRATION_RESPONSE: usize = 1024 * 1024;

/// How long an opened dialog can be submitted (ms): long enough to fill in a form.
pub const OPEN_DIALOG_TTL_MS: i64 = 60 * 60 * 1000;
/// How many open dialogs a user may have at once; opening more forgets the oldest.
pub const MAX_OPEN_DIALOGS_PER_USER: i64 = 32;

/// What an ephemeral post's action cookie holds.
#[derive(Debug, Serialize, Deserialize)]
struct ActionCookie {
    post_id: String,
    root_post_id: String,
    channel_id: String,
    action: Action,
}

/// `POST /posts/{post_id}/actions/{action_id}` body.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionClick {
    pub selected_option: String,
    pub cookie: String,
}

/// An integration's answer to a click (`PostActionIntegrationResponse`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionAnswer {
    update: Option<PostUpdate>,
    ephemeral_text: String,
    skip_slack_parsing: bool,
}

/// The parts of `update` that change the post; everything else is kept.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PostUpdate {
    message: String,
    props: Option<Map<String, Value>>,
}

/// Props whose presence says who made the post; an update may not add or remove them.
const ORIGIN_PROPS: &[&str] =
    &["from_webhook", "override_username", "override_icon_url", "override_icon_emoji", "from_bot", "from_plugin", "webhook_display_name"];

impl Actions<'_> {
    /// Give every action of an ephemeral post a cookie carrying its integration.
    pub(crate) fn seal_action_cookies(&self, post: &mut Post) {
        let Ok(mut attachments) = attachment::from_props(&post.props) else { return };
        let mut sealed_any = false;
        for action in attachments.iter_mut().flat_map(|a| a.actions.iter_mut()) {
            if action.integration.is_none() {
                continue;
            }
            let cookie =
                ActionCookie { post_id: post.id.clone(), root_post_id: post.root_id.clone(), channel_id: post.channel_id.clone(), action: action.clone() };
            action.cookie = self.sealer().seal(COOKIE_PURPOSE, &serde_json::to_vec(&cookie).expect("cookies serialize"));
            sealed_any = true;
        }
        if sealed_any {
            post.props.insert(attachment::ATTACHMENTS_PROP.into(), serde_json::to_value(attachments).expect("attachments serialize"));
        }
    }

    /// `POST /posts/{post_id}/actions/{action_id}`: call the action's integration as
    /// `caller` and apply its answer. Returns a trigger id for a dialog.
    pub async fn do_post_action(&self, caller: &Caller, post_id: &str, action_id: &str, click: ActionClick) -> Result<String> {
        let user = caller.user().cloned().ok_or_else(Error::forbidden)?;
        let not_found = || Error::not_found(error_ids::posts::DO_ACTION_ACTION_ID, "action");
        let stored = self.store().get_post(post_id).await.ok().filter(|p| p.delete_at == 0);
        let Some(stored) = stored else {
            // Not stored: only an ephemeral post's cookie can name the action.
            let bytes = self.sealer().open(COOKIE_PURPOSE, &click.cookie).ok_or_else(not_found)?;
            let cookie: ActionCookie = serde_json::from_slice(&bytes).map_err(|_| not_found())?;
            if cookie.post_id != post_id || cookie.action.id != action_id {
                return Err(not_found());
            }
            let channel = self.channels().channel_by_id(&cookie.channel_id).await?;
            self.channels().require_channel_readable(caller, &channel).await?;
            let post = Post { id: cookie.post_id, root_id: cookie.root_post_id, channel_id: cookie.channel_id, ..Post::default() };
            return self.run_action(caller, &user, None, &post, cookie.action, click).await;
        };
        // A stored post's own actions only: a cookie sent along is ignored.
        let action = attachment::find_action(&stored.props, action_id).ok_or_else(not_found)?;
        let channel = self.channels().channel_by_id(&stored.channel_id).await?;
        self.channels().require_channel_readable(caller, &channel).await?;
        self.run_action(caller, &user, Some(&stored), &stored, action, click).await
    }

    async fn run_action(
        &self,
        caller: &Caller,
        user: &crate::domain::User,
        stored: Option<&Post>,
        post: &Post,
        action: Action,
        click: ActionClick,
    ) -> Result<String> {
        if action.disabled {
            return Err(Invalid::new(error_ids::posts::DO_ACTION_ACTION_DISABLED, "This action is disabled.").into());
        }
        let integration = action.integration.clone().ok_or_else(|| Error::not_found(error_ids::posts::DO_ACTION_ACTION_ID, "action"))?;
        let channel = self.channels().channel_by_id(&post.channel_id).await?;
        let team_name =
            if channel.team_id.is_empty() { String::new() } else { self.store().get_team(&channel.team_id).await.map(|t| t.name).unwrap_or_default() };
        let trigger = self.mint_trigger_id(&user.id).await?;
        let mut context = integration.context.clone();
        if action.kind == "select" {
            context.insert("selected_option".into(), json!(click.selected_option));
        }
        let request = json!({
            "user_id": user.id,
            "user_name": user.username,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "team_id": channel.team_id,
            "team_domain": team_name,
            "post_id": post.id,
            "trigger_id": trigger.trigger_id,
            "type": if action.kind.is_empty() { "button" } else { action.kind.as_str() },
            "data_source": action.data_source,
            "context": context,
        });
        let answer = self.call_integration(caller, &integration.url, &request).await?;
        let answer: ActionAnswer = if answer.is_empty() {
            ActionAnswer::default()
        } else {
            serde_json::from_slice(&answer)
                .map_err(|e| Invalid::new(error_ids::posts::DO_ACTION_INTEGRATION, format!("The integration's answer is not a valid action response: {e}.")))?
        };

        if let (Some(update), Some(old)) = (answer.update, stored) {
            self.apply_action_update(caller, old, update, answer.skip_slack_parsing).await?;
        }
        if !answer.ephemeral_text.is_empty() {
            let mut text = answer.ephemeral_text;
            if !answer.skip_slack_parsing {
                self.posts().convert_slack_markup(&mut text, &mut []).await?;
            }
            let author = stored.map_or_else(|| user.id.clone(), |p| p.user_id.clone());
            let ephemeral = Post { channel_id: post.channel_id.clone(), root_id: post.root_id.clone(), user_id: author, message: text, ..Post::default() };
            self.posts().send_ephemeral_post(&user.id, ephemeral).await?;
        }
        Ok(trigger.client_trigger_id)
    }

    /// Replace the post with the integration's version: the message always, the props
    /// when given; who made the post stays as it was.
    async fn apply_action_update(&self, caller: &Caller, old: &Post, update: PostUpdate, skip_slack_parsing: bool) -> Result<Post> {
        let mut post = old.clone();
        post.message = update.message;
        if let Some(mut props) = update.props {
            for key in ORIGIN_PROPS {
                match old.props.get(*key) {
                    Some(value) => props.insert((*key).to_string(), value.clone()),
                    None => props.remove(*key),
                };
            }
            post.props = props;
            if post.kind == attachment::POST_TYPE_SLACK_ATTACHMENT {
                post.kind.clear();
            }
        }
        let mut attachments = attachment::from_props(&post.props)?;
        if !skip_slack_parsing {
            self.posts().convert_slack_markup(&mut post.message, &mut attachments).await?;
            if !attachments.is_empty() {
                post.props.insert(attachment::ATTACHMENTS_PROP.into(), serde_json::to_value(&attachments).expect("attachments serialize"));
            }
        }
        super::slack::prepare_attachments(&mut post.props, &mut post.kind)?;
        crate::domain::post::validate_content(&post.message, &post.kind, &post.props)?;
        let now = now_ms();
        post.update_at = now;
        if post.message != old.message {
            post.edit_at = now;
        }
        self.posts().save_post_edit(&caller.ctx, post, old, now).await
    }

    /// `POST /actions/dialogs/open`: show `request.dialog` to the user the trigger id
    /// was minted for (WebSocket `open_dialog`), and remember it was opened for them:
    /// only its url and callback id may be submitted, by that user.
    pub async fn open_dialog(&self, request: OpenDialogRequest) -> Result<()> {
        let trigger = self.verify_trigger_id(&request.trigger_id, None).await?;
        request.validate()?;
        if !is_integration_url(&request.url) {
            return Err(Invalid::new(error_ids::actions::DIALOG_OPEN_INVALID, "The dialog url must be an http(s) URL or /plugins/<plugin_id>/...").into());
        }
        let now = now_ms();
        let opened = OpenDialog {
            id: new_id(),
            user_id: trigger.user_id.clone(),
            url: request.url.clone(),
            callback_id: request.dialog.callback_id.clone(),
            state: request.dialog.state.clone(),
            create_at: now,
            expire_at: now + OPEN_DIALOG_TTL_MS,
        };
        self.store().insert_open_dialog(&opened, MAX_OPEN_DIALOGS_PER_USER, now).await?;
        // The client sees its own id, never the signed one (as in Mattermost).
        let request = OpenDialogRequest { trigger_id: trigger.client_trigger_id, ..request };
        let text = serde_json::to_string(&request).expect("dialogs serialize");
        self.publish("open_dialog", json!({ "dialog": text }), to_user(&trigger.user_id)).await
    }

    /// `POST /actions/dialogs/submit`: forward the submission as `caller` to the url of a
    /// dialog opened for them (403 otherwise), with the state it was opened with, and
    /// hand back only `error` and `errors` of the answer (Mattermost's
    /// `SubmitDialogResponse`). A dialog answered with errors, or whose integration
    /// failed, stays open and may be submitted again; an accepted or cancelled one is
    /// closed.
    pub async fn submit_dialog(&self, caller: &Caller, mut submission: SubmitDialogRequest) -> Result<SubmitDialogResponse> {
        let user = caller.user().ok_or_else(Error::forbidden)?;
        if !submission.channel_id.is_empty() {
            let channel = self.channels().channel_by_id(&submission.channel_id).await?;
            self.channels().require_channel_readable(caller, &channel).await?;
            submission.team_id = channel.team_id;
        }
        let Some(opened) = self.store().take_open_dialog(&user.id, &submission.url, &submission.callback_id, now_ms()).await? else {
            return Err(Error::Forbidden {
                id: error_ids::actions::DIALOG_SUBMIT_NOT_OPEN,
                message: "No dialog with this url and callback_id is open for you.".into(),
            });
        };
        // The submitter is whoever is signed in, whatever the body says; the state is
        // the integration's own; the url is not the integration's business (Mattermost
        // clears it too).
        submission.user_id = user.id.clone();
        submission.kind = "dialog_submission".into();
        submission.state = opened.state.clone();
        submission.url.clear();
        let body = serde_json::to_value(&submission).expect("submissions serialize");
        let answer = match self.call_integration(caller, &opened.url, &body).await {
            Ok(answer) => SubmitDialogResponse::from_answer(&answer),
            Err(e) => {
                self.reopen_dialog(&opened).await;
                return Err(e);
            }
        };
        if !submission.cancelled && !answer.accepted() {
            self.reopen_dialog(&opened).await;
        }
        Ok(answer)
    }

    /// Put back a dialog taken for a submission that left it open.
    async fn reopen_dialog(&self, dialog: &OpenDialog) {
        if let Err(e) = self.store().insert_open_dialog(dialog, MAX_OPEN_DIALOGS_PER_USER, now_ms()).await {
            tracing::warn!(user_id = %dialog.user_id, error = %e, "could not keep a dialog open after its submission");
        }
    }

    /// POST `body` as JSON to an integration; its body when it answered 200.
    async fn call_integration(&self, caller: &Caller, url: &str, body: &Value) -> Result<Vec<u8>> {
        let failed =
            |why: String| Error::from(Invalid::new(error_ids::posts::DO_ACTION_INTEGRATION, format!("The integration did not answer correctly: {why}.")));
        let payload = serde_json::to_vec(body).expect("JSON serializes");
        if let Some(rest) = url.strip_prefix("/plugins/") {
            let (plugin_id, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(id, path)| (id, format!("/{path}")));
            let (path, query) = path.split_once('?').map_or((path.as_str(), ""), |(p, q)| (p, q));
            let host = self.host().ok_or_else(|| failed("plugins are not running".into()))?;
            let request = HttpRequest {
                method: "POST".into(),
                path: path.to_string(),
                query: query.to_string(),
                headers: vec![("content-type".into(), "application/json".into()), ("mattermost-user-id".into(), caller.user_id().to_string())],
                body: payload,
            };
            let response = host.serve_http(plugin_id, &caller.ctx, request).await.map_err(|e| failed(e.to_string()))?;
            if response.status != 200 {
                return Err(failed(format!("status {}", response.status)));
            }
            if response.body.len() > MAX_INTEGRATION_RESPONSE {
                return Err(failed(format!("the answer is over {MAX_INTEGRATION_RESPONSE} bytes")));
            }
            return Ok(response.body);
        }
        let request = self
            .outbound()
            .request(reqwest::Method::POST, url)
            .map_err(|e| failed(e.to_string()))?
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(payload);
        let response = self.outbound().send(request, MAX_INTEGRATION_RESPONSE).await.map_err(|e| failed(e.to_string()))?;
        if response.status != 200 {
            return Err(failed(format!("status {}", response.status)));
        }
        Ok(response.body)
    }
}

fn is_integration_url(url: &str) -> bool {
    attachment::is_plugin_path(url) || url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}
