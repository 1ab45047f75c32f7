//! The `poll` example plugin's server half: `/poll "Question" "A" "B"` posts a `custom_poll` post with a button per answer; clicks reach the plugin's `serve-http` through the action URL, votes are kept in KV, the post is updated with the tally, and the tally goes to the channel as the `votes` event, which the webapp half (`webapp/`) draws as live bars.

use std::collections::BTreeMap;

use confab_plugin::commands::{self, Command};
use confab_plugin::events::{self, Broadcast};
use confab_plugin::prelude::*;
use confab_plugin::{bots, kv, log, posts};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const TRIGGER: &str = "poll";
/// The post type the webapp half draws; other clients show the attachment (Mattermost
/// keeps a custom type when a post also has attachments).
const POST_TYPE: &str = "custom_poll";
/// The WebSocket event with a poll's tally; clients get `custom_com.confab.poll_votes`.
const VOTES_EVENT: &str = "votes";
const BOT_USERNAME: &str = "pollbot";
/// The buttons' integration URL: the server routes it to this plugin in process.
const VOTE_URL: &str = "/plugins/com.confab.poll/vote";
const MAX_ANSWERS: usize = 10;
const USAGE: &str = "Usage: `/poll \"Question\" \"Answer 1\" \"Answer 2\" ...` (2 to 10 answers; none gives Yes and No).";

/// One poll, stored under `poll:<post_id>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Poll {
    question: String,
    answers: Vec<String>,
    /// Voter's user id → answer index.
    votes: BTreeMap<String, usize>,
    /// Voter's user id → username, for the tally.
    names: BTreeMap<String, String>,
    /// Where the poll was posted: its `votes` events go to this channel's members.
    #[serde(default)]
    channel_id: String,
}

fn key(post_id: &str) -> String {
    format!("poll:{post_id}")
}

/// Split the command's arguments: `"quoted text"` (with `\"` inside) or bare words.
fn split_arguments(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if c == '"' || c == '“' {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' if chars.peek() == Some(&'"') => word.push(chars.next().unwrap_or('"')),
                    '"' | '”' => {
                        closed = true;
                        break;
                    }
                    c => word.push(c),
                }
            }
            if !closed {
                return Err("A quote is not closed.".into());
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word);
    }
    Ok(out)
}

/// The poll a command line asks for.
fn parse_command(command: &str) -> Result<Poll, String> {
    let rest = command.trim_start().strip_prefix('/').and_then(|c| c.strip_prefix(TRIGGER)).unwrap_or(command);
    let mut words = split_arguments(rest)?.into_iter().map(|w| w.trim().to_owned());
    let question = words.next().filter(|q| !q.is_empty()).ok_or("A poll needs a question.")?;
    let mut answers: Vec<String> = words.filter(|a| !a.is_empty()).collect();
    if answers.is_empty() {
        answers = vec!["Yes".into(), "No".into()];
    }
    if answers.len() < 2 || answers.len() > MAX_ANSWERS {
        return Err(format!("A poll needs 2 to {MAX_ANSWERS} answers."));
    }
    Ok(Poll { question, answers, ..Poll::default() })
}

impl Poll {
    fn count(&self, answer: usize) -> usize {
        self.votes.values().filter(|&&v| v == answer).count()
    }

    /// What the webapp half draws, kept in the post's `poll` prop.
    fn tally(&self) -> Value {
        let counts: Vec<usize> = (0..self.answers.len()).map(|i| self.count(i)).collect();
        json!({ "question": self.question, "answers": self.answers, "counts": counts, "total": self.votes.len() })
    }

    /// The `votes` event: the tally and the post it belongs to.
    fn votes_event(&self, post_id: &str) -> Value {
        let mut data = self.tally();
        data["post_id"] = json!(post_id);
        data
    }

    /// The post's props: the attachment (every client) and the tally (the webapp half).
    fn props(&self) -> Value {
        json!({ "attachments": [self.attachment()], "poll": self.tally() })
    }

    /// The attachment showing the poll: one button per answer, the tally in the text.
    fn attachment(&self) -> Value {
        let lines: Vec<String> = self
            .answers
            .iter()
            .enumerate()
            .map(|(i, answer)| {
                let voters: Vec<String> =
                    self.votes.iter().filter(|(_, v)| **v == i).map(|(user, _)| format!("@{}", self.names.get(user).unwrap_or(user))).collect();
                let n = voters.len();
                let plural = if n == 1 { "" } else { "s" };
                if voters.is_empty() { format!("**{answer}**: 0 votes") } else { format!("**{answer}**: {n} vote{plural} ({})", voters.join(", ")) }
            })
            .collect();
        let actions: Vec<Value> = self
            .answers
            .iter()
            .enumerate()
            .map(|(i, answer)| {
                json!({
                    "id": format!("vote{i}"),
                    "name": format!("{answer} ({})", self.count(i)),
                    "type": "button",
                    "integration": { "url": VOTE_URL, "context": { "option": i } },
                })
            })
            .collect();
        let total = self.votes.len();
        json!({
            "fallback": format!("Poll: {}", self.question),
            "title": self.question,
            "text": lines.join("\n"),
            "footer": format!("{total} vote{} · /poll", if total == 1 { "" } else { "s" }),
            "actions": actions,
        })
    }
}

/// What the server sends to the vote URL (Mattermost's `PostActionIntegrationRequest`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionRequest {
    user_name: String,
    post_id: String,
    context: ActionContext,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionContext {
    option: usize,
}

#[derive(Default)]
struct PollPlugin;

impl PollPlugin {
    fn start_poll(&self, args: &CommandArgs) -> Result<CommandResponse> {
        let poll = match parse_command(&args.command) {
            Ok(poll) => poll,
            Err(why) => return Ok(CommandResponse::ephemeral(format!("{why} {USAGE}"))),
        };
        let bot_id = bots::ensure_bot(BOT_USERNAME, "Poll", "Posts polls started with /poll.")?;
        let poll = Poll { channel_id: args.channel_id.clone(), ..poll };
        let mut post = Post::reply(&args.channel_id, &args.root_id, "").by(&bot_id).with_props(&poll.props())?;
        post.type_ = POST_TYPE.to_owned();
        let created = posts::create(&post)?;
        kv::set_json(&key(&created.id), &poll)?;
        // Nothing to add: the poll post is the answer.
        Ok(CommandResponse::ephemeral(""))
    }

    fn vote(&self, request: &HttpRequest) -> Result<HttpResponse> {
        let click: ActionRequest = request.json()?;
        // The server sets this header for the clicking user; it cannot be spoofed.
        let Some(voter) = request.user_id().map(str::to_owned) else { return Ok(HttpResponse::error(401, "votes need a signed-in user")) };
        let key = key(&click.post_id);
        let Some(existing) = kv::get_json::<Poll>(&key)? else {
            return Ok(HttpResponse::json(200, &json!({ "ephemeral_text": "This poll is not open any more." })));
        };
        let Some(answer) = existing.answers.get(click.context.option).cloned() else { return Ok(HttpResponse::error(400, "no such answer")) };
        let name = if click.user_name.is_empty() { voter.clone() } else { click.user_name.clone() };
        let poll = kv::update_json::<Poll, _>(&key, |current| {
            let mut poll = current.unwrap_or_else(|| existing.clone());
            poll.votes.insert(voter.clone(), click.context.option);
            poll.names.insert(voter.clone(), name.clone());
            poll
        })?;
        if !poll.channel_id.is_empty()
            && let Err(e) = events::publish(VOTES_EVENT, &poll.votes_event(&click.post_id), &Broadcast::channel(&poll.channel_id))
        {
            // The post update below still carries the tally; only the live bars wait.
            log::warn("could not publish the tally", &[("error", &e.to_string())]);
        }
        Ok(HttpResponse::json(
            200,
            &json!({
                "update": { "message": "", "props": poll.props() },
                "ephemeral_text": format!("You voted for **{answer}**."),
            }),
        ))
    }
}

#[plugin]
impl Plugin for PollPlugin {
    fn activate(&self) -> Result<(), String> {
        commands::register(&Command::new(TRIGGER, "Start a poll with a button per answer").hint("\"Question\" \"Answer 1\" \"Answer 2\" ..."))
            .map_err(|e| e.to_string())
    }

    fn execute_command(&self, _ctx: &PluginContext, args: CommandArgs) -> Result<CommandResponse, String> {
        self.start_poll(&args).map_err(|e| {
            log::error("could not start a poll", &[("error", &e.to_string())]);
            e.to_string()
        })
    }

    fn serve_http(&self, _ctx: &PluginContext, request: HttpRequest) -> HttpResponse {
        match (request.method.as_str(), request.path.trim_end_matches('/')) {
            ("POST", "/vote") => self.vote(&request).unwrap_or_else(|e| HttpResponse::error(500, &e.to_string())),
            (_, "/vote") => HttpResponse::error(405, "only POST is supported"),
            _ => HttpResponse::not_found(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_quoted_or_bare() {
        assert_eq!(split_arguments(r#" "Where to?" Pizza "Sushi bar" "say \"hi\"" "#).unwrap(), ["Where to?", "Pizza", "Sushi bar", "say \"hi\""]);
        assert!(split_arguments(r#""open"#).is_err());
        assert_eq!(split_arguments("“curly” quotes").unwrap(), ["curly", "quotes"]);
    }

    #[test]
    fn commands_become_polls() {
        let poll = parse_command(r#"/poll "Lunch?" "Pizza" "Sushi""#).unwrap();
        assert_eq!((poll.question.as_str(), poll.answers.as_slice()), ("Lunch?", &["Pizza".to_string(), "Sushi".to_string()][..]));
        assert_eq!(parse_command("/poll Ready?").unwrap().answers, ["Yes", "No"]);
        assert!(parse_command("/poll").is_err());
        assert!(parse_command(r#"/poll "Q" "only one""#).is_err());
        assert!(parse_command(&format!("/poll Q {}", "a ".repeat(11))).is_err());
    }

    #[test]
    fn the_attachment_shows_the_tally() {
        let mut poll = parse_command(r#"/poll "Lunch?" "Pizza" "Sushi""#).unwrap();
        poll.votes.insert("u1".into(), 1);
        poll.names.insert("u1".into(), "alice".into());
        let attachment = poll.attachment();
        assert_eq!(attachment["title"], "Lunch?");
        assert_eq!(attachment["actions"][1]["name"], "Sushi (1)");
        assert_eq!(attachment["actions"][1]["id"], "vote1");
        assert_eq!(attachment["actions"][0]["integration"]["url"], VOTE_URL);
        assert!(attachment["text"].as_str().unwrap().contains("**Sushi**: 1 vote (@alice)"), "{attachment}");
        assert_eq!(attachment["footer"], "1 vote · /poll");
        assert_eq!(poll.votes_event("p1"), json!({"post_id": "p1", "question": "Lunch?", "answers": ["Pizza", "Sushi"], "counts": [0, 1], "total": 1}));
        assert_eq!(poll.props(), json!({"attachments": [attachment], "poll": poll.tally()}));
    }
}
