//! Field-by-field conversions between the generated WIT types and the plain types in `types`.

use crate::bindings::types as wit;
use crate::server_api::ApiError;
use crate::types as plain;

/// Both directions of `From` for records whose fields map one to one
/// (`plain_field: wit_field`).
/// `plain_only: [..]` names plain fields the WIT record does not carry (0.2.0 hooks
/// read them through `hook-post`): left empty coming in, dropped going out.
macro_rules! same_record {
    ($name:ident { $($field:ident: $wit_field:ident),* $(,)? }) => {
        same_record!($name { $($field: $wit_field),* } plain_only: []);
    };
    ($name:ident { $($field:ident: $wit_field:ident),* $(,)? } plain_only: [$($extra:ident),*]) => {
        impl From<wit::$name> for plain::$name {
            fn from(v: wit::$name) -> Self {
                plain::$name { $($field: v.$wit_field,)* $($extra: Default::default(),)* }
            }
        }
        impl From<plain::$name> for wit::$name {
            fn from(v: plain::$name) -> Self {
                wit::$name { $($wit_field: v.$field),* }
            }
        }
    };
}

same_record!(Post {
    id: id,
    create_at: create_at,
    update_at: update_at,
    edit_at: edit_at,
    delete_at: delete_at,
    user_id: user_id,
    channel_id: channel_id,
    root_id: root_id,
    message: message,
    kind: type_,
    props: props,
    is_pinned: is_pinned
} plain_only: [file_ids, metadata]);
same_record!(Channel {
    id: id,
    create_at: create_at,
    update_at: update_at,
    delete_at: delete_at,
    team_id: team_id,
    kind: type_,
    display_name: display_name,
    name: name,
    header: header,
    purpose: purpose,
    creator_id: creator_id
});
same_record!(User {
    id: id,
    create_at: create_at,
    update_at: update_at,
    delete_at: delete_at,
    username: username,
    email: email,
    nickname: nickname,
    first_name: first_name,
    last_name: last_name,
    position: position,
    roles: roles,
    locale: locale,
    is_bot: is_bot
});
same_record!(Team {
    id: id,
    create_at: create_at,
    update_at: update_at,
    delete_at: delete_at,
    display_name: display_name,
    name: name,
    description: description,
    kind: type_,
    allow_open_invite: allow_open_invite
});
same_record!(ChannelMember {
    channel_id: channel_id,
    user_id: user_id,
    roles: roles,
    last_viewed_at: last_viewed_at,
    msg_count: msg_count,
    mention_count: mention_count
});
same_record!(TeamMember { team_id: team_id, user_id: user_id, roles: roles, delete_at: delete_at });
same_record!(Reaction { user_id: user_id, post_id: post_id, emoji_name: emoji_name, create_at: create_at });
same_record!(PluginContext {
    session_id: session_id,
    request_id: request_id,
    ip_address: ip_address,
    accept_language: accept_language,
    user_agent: user_agent
} plain_only: [connection_id]);
same_record!(ClusterEvent { id: id, data: data });
same_record!(WebsocketRequest { seq: seq, action: action, data: data });
same_record!(CommandArgs {
    command: command,
    user_id: user_id,
    channel_id: channel_id,
    team_id: team_id,
    root_id: root_id,
    trigger_id: trigger_id,
    site_url: site_url
});
same_record!(CommandResponse {
    response_type: response_type,
    text: text,
    username: username,
    icon_url: icon_url,
    channel_id: channel_id,
    goto_location: goto_location,
    kind: type_,
    props: props
});
same_record!(HttpRequest { method: method, path: path, query: query, headers: headers, body: body });
same_record!(HttpResponse { status: status, headers: headers, body: body });

impl From<ApiError> for wit::Error {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound => wit::Error::NotFound,
            ApiError::PermissionDenied => wit::Error::PermissionDenied,
            ApiError::InvalidInput(s) => wit::Error::InvalidInput(s),
            ApiError::QuotaExceeded => wit::Error::QuotaExceeded,
            ApiError::Internal(s) => wit::Error::Internal(s),
        }
    }
}

/// Approximate bytes a value occupies once lifted out of the guest, for the
/// response-size cap.
pub(crate) trait PayloadSize {
    fn payload_size(&self) -> usize;
}

impl PayloadSize for () {
    fn payload_size(&self) -> usize {
        0
    }
}

impl PayloadSize for wit::Post {
    fn payload_size(&self) -> usize {
        self.id.len() + self.user_id.len() + self.channel_id.len() + self.root_id.len() + self.message.len() + self.type_.len() + self.props.len() + 64
    }
}

impl PayloadSize for wit::WillResult {
    fn payload_size(&self) -> usize {
        match self {
            wit::WillResult::Replace(post) => post.payload_size(),
            wit::WillResult::Reject(reason) => reason.len(),
            wit::WillResult::Allow | wit::WillResult::Dismiss => 0,
        }
    }
}

impl PayloadSize for crate::runtime::Verdict {
    fn payload_size(&self) -> usize {
        use crate::runtime::Verdict;
        match self {
            Verdict::Change(change) => {
                let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
                text(&change.message)
                    + text(&change.type_)
                    + text(&change.props)
                    + change.file_ids.as_ref().map_or(0, |ids| ids.iter().map(|id| id.len() + 8).sum())
                    + 16
            }
            Verdict::Replace(post) => post.payload_size(),
            Verdict::Reject(reason) => reason.len(),
            Verdict::Allow | Verdict::Dismiss => 0,
        }
    }
}

impl PayloadSize for Option<String> {
    fn payload_size(&self) -> usize {
        self.as_ref().map_or(0, String::len)
    }
}

impl PayloadSize for Vec<wit::Post> {
    fn payload_size(&self) -> usize {
        self.iter().map(PayloadSize::payload_size).sum()
    }
}

impl PayloadSize for Result<Option<String>, String> {
    fn payload_size(&self) -> usize {
        match self {
            Ok(settings) => settings.payload_size(),
            Err(message) => message.len(),
        }
    }
}

impl PayloadSize for Result<(), String> {
    fn payload_size(&self) -> usize {
        self.as_ref().err().map_or(0, String::len)
    }
}

impl PayloadSize for Result<wit::CommandResponse, String> {
    fn payload_size(&self) -> usize {
        match self {
            Ok(r) => r.text.len() + r.props.len() + r.username.len() + r.icon_url.len() + r.goto_location.len() + r.channel_id.len() + r.type_.len(),
            Err(e) => e.len(),
        }
    }
}

impl PayloadSize for wit::HttpResponse {
    fn payload_size(&self) -> usize {
        self.body.len() + self.headers.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
    }
}
