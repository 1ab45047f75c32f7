//! Fixture `fx-dialogs` (`fx.dialogs`): opens interactive dialogs from its slash command `/fxdialog`, from clicks on its own action buttons and from any trigger id a test hands it, and records every submission it receives in KV. Contract: tests/plugins/README.md.

use confab_plugin::commands::{self, Command};
use confab_plugin::dialogs::{self, ActionRequest, Dialog, Element, Submission};
use confab_plugin::kv;
use confab_plugin::prelude::*;
use serde_json::{Value, json};

/// KV key of the list of submissions.
const SUBMISSIONS: &str = "submissions";

/// The dialog every route opens; `state` says which route opened it.
fn dialog(state: &str) -> Dialog {
    Dialog::new("fx", "FX dialog").element(Element::text("name", "Name")).element(Element::text("note", "Note").optional()).state(state)
}

/// `ok` or the host's error, as text.
fn outcome(result: Result<()>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.to_string(),
    }
}

/// A submission: recorded (with the `Mattermost-User-Id` the server set), then a name
/// shorter than 3 characters keeps the dialog open with a field error.
fn submit(request: &HttpRequest) -> HttpResponse {
    let Ok(submission) = Submission::from_body(&request.body) else { return HttpResponse::error(400, "not a dialog submission") };
    let entry = json!({
        "path": request.path,
        "header_user_id": request.user_id().unwrap_or_default(),
        "submission": submission,
    });
    if let Err(e) = kv::update_json::<Vec<Value>, _>(SUBMISSIONS, |list| {
        let mut list = list.unwrap_or_default();
        list.push(entry.clone());
        list
    }) {
        return HttpResponse::error(500, &e.to_string());
    }
    match submission.value("name") {
        Some(name) if name.chars().count() >= 3 => dialogs::accepted(),
        _ if submission.cancelled => dialogs::accepted(),
        _ => dialogs::errors(&[("name", "Use at least 3 characters.")]),
    }
}

/// A click on one of this plugin's buttons: open a dialog with the click's trigger id,
/// and update the post to say who clicked.
fn click(request: &HttpRequest) -> HttpResponse {
    let Ok(action) = ActionRequest::from_body(&request.body) else { return HttpResponse::error(400, "not an action request") };
    let opened = outcome(dialogs::open(&action.trigger_id, "/submit", &dialog("from-click")));
    HttpResponse::json(200, &json!({ "update": { "message": format!("clicked by {}", action.user_name) }, "ephemeral_text": format!("dialog: {opened}") }))
}

/// `POST /open` `{"trigger_id", "path"}`: open with whatever the test gives (forged or
/// stale trigger ids, another plugin's path, an outside URL).
fn open(request: &HttpRequest) -> HttpResponse {
    let Ok(body) = request.json::<Value>() else { return HttpResponse::error(400, "bad body") };
    let field = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    HttpResponse::json(200, &json!({ "result": outcome(dialogs::open(&field("trigger_id"), &field("path"), &dialog("from-open"))) }))
}

#[derive(Default)]
struct Dialogs;

#[plugin]
impl Plugin for Dialogs {
    fn activate(&self) -> Result<(), String> {
        commands::register(&Command::new("fxdialog", "fx-dialogs: open a dialog"))?;
        Ok(())
    }

    /// `/fxdialog [path]`: open the dialog with the command's trigger id, its
    /// submissions going to `path` (default `/submit`).
    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        let path = args.command.split_whitespace().nth(1).unwrap_or("/submit").to_owned();
        let opened = outcome(dialogs::open(&args.trigger_id, &path, &dialog("from-command")));
        Ok(CommandResponse::ephemeral(format!("dialog: {opened}")))
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/submit" | "/elsewhere") => submit(&request),
            ("POST", "/click") => click(&request),
            ("POST", "/open") => open(&request),
            ("GET", "/submissions") => match kv::get_json::<Vec<Value>>(SUBMISSIONS) {
                Ok(list) => HttpResponse::json(200, &list.unwrap_or_default()),
                Err(e) => HttpResponse::error(500, &e.to_string()),
            },
            _ => HttpResponse::not_found(),
        }
    }
}
