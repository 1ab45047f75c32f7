//! Conversions between the domain types and the plain data the plugin host exchanges (`confab_host::types`).

use confab_host::types as plugin;
use serde_json::{Map, Value};

use crate::domain::{Channel, ChannelMember, Post, Reaction, Team, TeamMember, User};

/// A post as plugins see it (`props` as JSON text).
pub fn post_to_plugin(p: &Post) -> plugin::Post {
    plugin::Post {
        id: p.id.clone(),
        create_at: p.create_at,
        update_at: p.update_at,
        edit_at: p.edit_at,
        delete_at: p.delete_at,
        user_id: p.user_id.clone(),
        channel_id: p.channel_id.clone(),
        root_id: p.root_id.clone(),
        message: p.message.clone(),
        kind: p.kind.clone(),
        props: Value::Object(p.props.clone()).to_string(),
        is_pinned: p.is_pinned,
        // Posts carry no files on this server yet.
        file_ids: Vec::new(),
        // Empty means `{}`: most posts have none, and a plugin asks for it lazily.
        metadata: if p.metadata.is_empty() { String::new() } else { Value::Object(p.metadata.clone()).to_string() },
    }
}

/// A post from a plugin. `props` that are not a JSON object read as empty: a plugin
/// cannot store props clients could not parse.
pub fn post_from_plugin(p: plugin::Post) -> Post {
    let props = if p.props.trim().is_empty() { Map::new() } else { serde_json::from_str::<Map<String, Value>>(&p.props).unwrap_or_default() };
    Post {
        id: p.id,
        create_at: p.create_at,
        update_at: p.update_at,
        edit_at: p.edit_at,
        delete_at: p.delete_at,
        user_id: p.user_id,
        channel_id: p.channel_id,
        root_id: p.root_id,
        message: p.message,
        kind: p.kind,
        props,
        is_pinned: p.is_pinned,
        ..Post::default()
    }
}

/// A user without secrets.
pub fn user_to_plugin(u: &User) -> plugin::User {
    plugin::User {
        id: u.id.clone(),
        create_at: u.create_at,
        update_at: u.update_at,
        delete_at: u.delete_at,
        username: u.username.clone(),
        email: u.email.clone(),
        nickname: u.nickname.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        position: u.position.clone(),
        roles: u.roles.clone(),
        locale: u.locale.clone(),
        is_bot: u.is_bot,
    }
}

/// A channel.
pub fn channel_to_plugin(c: &Channel) -> plugin::Channel {
    plugin::Channel {
        id: c.id.clone(),
        create_at: c.create_at,
        update_at: c.update_at,
        delete_at: c.delete_at,
        team_id: c.team_id.clone(),
        kind: c.kind.clone(),
        display_name: c.display_name.clone(),
        name: c.name.clone(),
        header: c.header.clone(),
        purpose: c.purpose.clone(),
        creator_id: c.creator_id.clone(),
    }
}

/// A channel membership.
pub fn member_to_plugin(m: &ChannelMember) -> plugin::ChannelMember {
    plugin::ChannelMember {
        channel_id: m.channel_id.clone(),
        user_id: m.user_id.clone(),
        roles: m.roles.clone(),
        last_viewed_at: m.last_viewed_at,
        msg_count: m.msg_count,
        mention_count: m.mention_count,
    }
}

/// A team.
pub fn team_to_plugin(t: &Team) -> plugin::Team {
    plugin::Team {
        id: t.id.clone(),
        create_at: t.create_at,
        update_at: t.update_at,
        delete_at: t.delete_at,
        display_name: t.display_name.clone(),
        name: t.name.clone(),
        description: t.description.clone(),
        kind: t.kind.clone(),
        allow_open_invite: t.allow_open_invite,
    }
}

/// A team membership.
pub fn team_member_to_plugin(m: &TeamMember) -> plugin::TeamMember {
    plugin::TeamMember { team_id: m.team_id.clone(), user_id: m.user_id.clone(), roles: m.roles.clone(), delete_at: m.delete_at }
}

/// A reaction.
pub fn reaction_to_plugin(r: &Reaction) -> plugin::Reaction {
    plugin::Reaction { user_id: r.user_id.clone(), post_id: r.post_id.clone(), emoji_name: r.emoji_name.clone(), create_at: r.create_at }
}
