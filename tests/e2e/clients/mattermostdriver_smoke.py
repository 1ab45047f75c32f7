"""Drive Confab with the real Mattermost Python client, `mattermostdriver` (PyPI).

Run by tests/e2e/client_library.rs:
    python3 mattermostdriver_smoke.py <host> <port> <login_id> <password>

Logs in, creates a team and a channel, makes the calls Mattermost's apps make on first
load and on a channel switch, listens on the WebSocket, posts, reads the post back (by
id and in the channel's post list) and waits for its `posted` event.
Prints one JSON line with what it saw and exits 0, or raises.
"""

import asyncio
import json
import sys
import threading

from mattermostdriver import Driver

host, port, login_id, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

driver = Driver({
    "url": host,
    "port": port,
    "scheme": "http",
    "basepath": "/api/v4",
    "login_id": login_id,
    "password": password,
    "timeout": 30,
    "keepalive": False,
})
me = driver.login()
assert me["username"] == login_id, me

team = driver.teams.create_team(options={"name": "py-team", "display_name": "Python team", "type": "O"})
channel = driver.channels.create_channel(options={
    "team_id": team["id"], "name": "py-channel", "display_name": "Python channel", "type": "O",
})
assert driver.teams.get_team_by_name("py-team")["id"] == team["id"]
assert any(c["id"] == channel["id"] for c in driver.channels.get_channels_for_user("me", team["id"]))

# Mattermost's first-load batch (getMe, getMyTeams, getMyTeamMembers, getMyTeamUnreads,
# getMyPreferences) and what a channel switch calls (channel members, view, stats,
# statuses, autocomplete), through the client's own endpoint methods.
assert driver.users.get_user("me")["id"] == me["id"]
assert any(t["id"] == team["id"] for t in driver.teams.get_user_teams("me"))
assert any(m["team_id"] == team["id"] for m in driver.teams.get_team_members_for_user("me"))
unreads = driver.teams.get_team_unreads_for_user("me")
assert any(u["team_id"] == team["id"] and u["mention_count"] == 0 for u in unreads), unreads
driver.preferences.save_user_preferences("me", options=[
    {"user_id": me["id"], "category": "display_settings", "name": "use_military_time", "value": "true"},
])
assert driver.preferences.get_user_preferences("me")[0]["value"] == "true"
members = driver.channels.get_channel_members_for_user("me", team["id"])
assert any(m["channel_id"] == channel["id"] for m in members), members
viewed = driver.channels.view_channel("me", options={"channel_id": channel["id"], "prev_channel_id": ""})
assert viewed["status"] == "OK" and channel["id"] in viewed["last_viewed_at_times"], viewed
assert driver.channels.get_channel_statistics(channel["id"])["member_count"] == 1
assert driver.status.get_user_statuses_by_id(options=[me["id"]])[0]["user_id"] == me["id"]
found = driver.users.autocomplete_users(params={"in_team": team["id"], "in_channel": channel["id"], "name": login_id[:2]})
assert [u["id"] for u in found["users"]] == [me["id"]], found

hello = threading.Event()
posted = threading.Event()
events = []
message_text = "hello from mattermostdriver"


async def on_event(raw):
    event = json.loads(raw)
    events.append(event)
    if event.get("event") == "hello":
        hello.set()
    if event.get("event") == "posted":
        post = json.loads(event["data"]["post"])
        if post["message"] == message_text and post["channel_id"] == channel["id"]:
            posted.set()


def listen():
    asyncio.set_event_loop(asyncio.new_event_loop())
    driver.init_websocket(on_event)


threading.Thread(target=listen, daemon=True).start()
assert hello.wait(30), f"no hello on the websocket: {events}"

post = driver.posts.create_post(options={"channel_id": channel["id"], "message": message_text})
assert driver.posts.get_post(post["id"])["message"] == message_text
listed = driver.posts.get_posts_for_channel(channel["id"])
assert post["id"] in listed["order"] and listed["posts"][post["id"]]["message"] == message_text, listed
assert posted.wait(30), f"no posted event: {events}"

print(json.dumps({"ok": True, "team": team["id"], "channel": channel["id"], "post": post["id"], "events": [e.get("event") for e in events]}))
sys.stdout.flush()
