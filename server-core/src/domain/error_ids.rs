//! Mattermost error ids, named and grouped by area: clients key on `id` (with the status), so each id is spelled once, here.

// Names drop the id's `.app_error` suffix and the area's own segment; an id that would collide keeps its first segment (`API_`, `APP_`, `MODEL_`, ...).

/// Interactive messages and dialogs.
pub mod actions {
    pub const DIALOG_OPEN_INVALID: &str = "api.dialog.open.invalid.app_error";
    pub const DIALOG_SUBMIT_NOT_OPEN: &str = "api.dialog.submit.not_open.app_error";
    pub const POST_ACTION_IS_VALID: &str = "model.post_action.is_valid.app_error";
}

/// Channels and channel membership.
pub mod channels {
    pub const ADD_USER_TO_CHANNEL_DELETED: &str = "api.channel.add_user_to_channel.deleted.app_error";
    pub const ADD_USER_TO_CHANNEL_FAILED: &str = "api.channel.add_user.to.channel.failed.app_error";
    pub const ADD_USER_TO_CHANNEL_FAILED_DELETED: &str = "api.channel.add_user.to.channel.failed.deleted.app_error";
    pub const ADD_USER_TO_CHANNEL_TYPE: &str = "api.channel.add_user_to_channel.type.app_error";
    pub const CREATE_GROUP_BAD_SIZE: &str = "api.channel.create_group.bad_size.app_error";
    pub const CREATE_GROUP_BAD_USER: &str = "api.channel.create_group.bad_user.app_error";
    pub const DELETE_CHANNEL_CANNOT: &str = "api.channel.delete_channel.cannot.app_error";
    pub const DELETE_CHANNEL_DELETED: &str = "api.channel.delete_channel.deleted.app_error";
    pub const DELETE_CHANNEL_TYPE_INVALID: &str = "api.channel.delete_channel.type.invalid";
    pub const NOT_FOUND: &str = "app.channel.get.existing.app_error";
    pub const GET_MEMBER_MISSING: &str = "app.channel.get_member.missing.app_error";
    pub const IS_VALID_2_OR_MORE: &str = "model.channel.is_valid.2_or_more.app_error";
    pub const IS_VALID_DISPLAY_NAME: &str = "model.channel.is_valid.display_name.app_error";
    pub const IS_VALID_HEADER: &str = "model.channel.is_valid.header.app_error";
    pub const IS_VALID_PURPOSE: &str = "model.channel.is_valid.purpose.app_error";
    pub const IS_VALID_TYPE: &str = "model.channel.is_valid.type.app_error";
    pub const PATCH_UPDATE_CHANNEL_FORBIDDEN: &str = "api.channel.patch_update_channel.forbidden.app_error";
    pub const REMOVE_DEFAULT: &str = "api.channel.remove.default.app_error";
    pub const REMOVE_USER_FROM_CHANNEL_TYPE: &str = "api.channel.remove_user_from_channel.type.app_error";
    pub const RESTORE_CHANNEL_RESTORED: &str = "api.channel.restore_channel.restored.app_error";
    pub const SQL_CHANNEL_SAVE_CHANNEL_EXISTS: &str = "store.sql_channel.save_channel.exists.app_error";
    pub const UPDATE_CHANNEL_DELETED: &str = "api.channel.update_channel.deleted.app_error";
    pub const UPDATE_CHANNEL_TRIED: &str = "api.channel.update_channel.tried.app_error";
}

/// Slash commands and their `response_url`s.
pub mod commands {
    pub const COMMAND_POST_FORBIDDEN: &str = "api.command.command_post.forbidden.app_error";
    pub const COMMAND_WEBHOOK_COMMAND: &str = "web.command_webhook.command.app_error";
    pub const COMMAND_WEBHOOK_GET_MISSING: &str = "app.command_webhook.get.missing";
    pub const COMMAND_WEBHOOK_PARSE: &str = "web.command_webhook.parse.app_error";
    pub const COMMAND_WEBHOOK_TRY_USE_INVALID: &str = "app.command_webhook.try_use.invalid";
    pub const DUPLICATE_TRIGGER: &str = "api.command.duplicate_trigger.app_error";
    pub const EXECUTE_COMMAND_CREATE_POST_FAILED: &str = "api.command.execute_command.create_post_failed.app_error";
    pub const EXECUTE_COMMAND_DELETED: &str = "api.command.execute_command.deleted.error";
    pub const EXECUTE_COMMAND_FAILED: &str = "api.command.execute_command.failed.app_error";
    pub const EXECUTE_COMMAND_FAILED_RESP: &str = "api.command.execute_command.failed_resp.app_error";
    pub const EXECUTE_COMMAND_NOT_FOUND: &str = "api.command.execute_command.not_found.app_error";
    pub const EXECUTE_COMMAND_START: &str = "api.command.execute_command.start.app_error";
    pub const IS_VALID_AUTOCOMPLETE_DATA: &str = "model.command.is_valid.autocomplete_data.app_error";
    pub const IS_VALID_DESCRIPTION: &str = "model.command.is_valid.description.app_error";
    pub const IS_VALID_DISPLAY_NAME: &str = "model.command.is_valid.display_name.app_error";
    pub const IS_VALID_METHOD: &str = "model.command.is_valid.method.app_error";
    pub const IS_VALID_TEAM_ID: &str = "model.command.is_valid.team_id.app_error";
    pub const IS_VALID_TRIGGER: &str = "model.command.is_valid.trigger.app_error";
    pub const IS_VALID_URL: &str = "model.command.is_valid.url.app_error";
    pub const IS_VALID_URL_HTTP: &str = "model.command.is_valid.url_http.app_error";
    pub const MOVE_COMMAND_CREATOR_NO_PERMISSION: &str = "api.command.move_command.creator_no_permission.app_error";
    pub const PLUGIN_COMMAND_CRASH_ERROR: &str = "model.plugin_command_crash.error.app_error";
    pub const PLUGIN_COMMAND_ERROR_ERROR: &str = "model.plugin_command_error.error.app_error";
    pub const NOT_FOUND: &str = "store.sql_command.save.get.app_error";
    pub const TEAM_MISMATCH: &str = "api.command.team_mismatch.app_error";
}

/// Request-wide answers: permissions, sessions, parameters.
pub mod context {
    pub const INVALID_BODY_PARAM: &str = "api.context.invalid_body_param.app_error";
    pub const INVALID_PARAM: &str = "api.context.invalid_param.app_error";
    pub const INVALID_URL_PARAM: &str = "api.context.invalid_url_param.app_error";
    pub const PERMISSIONS: &str = "api.context.permissions.app_error";
    pub const RATE_LIMIT_EXCEEDED: &str = "api.context.rate_limit_exceeded.app_error";
    pub const SESSION_EXPIRED: &str = "api.context.session_expired.app_error";
}

/// User preferences.
pub mod preferences {
    pub const DELETE_PREFERENCES_DELETE: &str = "api.preference.delete_preferences.delete.app_error";
    pub const IS_VALID_CATEGORY: &str = "model.preference.is_valid.category.app_error";
    pub const IS_VALID_ID: &str = "model.preference.is_valid.id.app_error";
    pub const IS_VALID_LIMIT_VISIBLE_DMS_GMS: &str = "model.preference.is_valid.limit_visible_dms_gms.app_error";
    pub const IS_VALID_NAME: &str = "model.preference.is_valid.name.app_error";
    pub const IS_VALID_THEME: &str = "model.preference.is_valid.theme.app_error";
    pub const IS_VALID_VALUE: &str = "model.preference.is_valid.value.app_error";
    pub const NOT_FOUND: &str = "app.preference.get.app_error";
    pub const PREFERENCES_CATEGORY_GET: &str = "api.preference.preferences_category.get.app_error";
    pub const UPDATE_PREFERENCES_SET: &str = "api.preference.update_preferences.set.app_error";
}

/// Plugins' scheduled jobs (reach plugins only, as the WIT `invalid-input` text).
pub mod scheduler {
    pub const INVALID_JOB: &str = "app.plugin.schedule_job.invalid.app_error";
}

/// Posts, reactions and attachments.
pub mod posts {
    pub const CREATE_POST_CAN_NOT_POST_TO_DELETED: &str = "api.post.create_post.can_not_post_to_deleted.error";
    pub const CREATE_POST_PLUGIN_RECURSION: &str = "api.post.create_post.plugin_recursion.app_error";
    pub const CREATE_POST_ROOT_ID: &str = "api.post.create_post.root_id.app_error";
    pub const CREATE_WEBHOOK_POST_CREATING: &str = "api.post.create_webhook_post.creating.app_error";
    pub const DELETE_POST_PERMISSIONS: &str = "api.post.delete_post.permissions.app_error";
    pub const DO_ACTION_ACTION_DISABLED: &str = "api.post.do_action.action_disabled.app_error";
    pub const DO_ACTION_ACTION_ID: &str = "api.post.do_action.action_id.app_error";
    pub const DO_ACTION_INTEGRATION: &str = "api.post.do_action.action_integration.app_error";
    pub const NOT_FOUND: &str = "app.post.get.app_error";
    pub const IS_VALID_MSG: &str = "model.post.is_valid.msg.app_error";
    pub const IS_VALID_PROPS: &str = "model.post.is_valid.props.app_error";
    pub const IS_VALID_TYPE: &str = "model.post.is_valid.type.app_error";
    pub const REACTION_IS_VALID_EMOJI_NAME: &str = "model.reaction.is_valid.emoji_name.app_error";
    pub const REACTION_SAVE_ARCHIVED_CHANNEL: &str = "api.reaction.save.archived_channel.app_error";
    pub const REACTION_SAVE_REACTION_USER_ID: &str = "api.reaction.save_reaction.user_id.app_error";
    pub const SLACK_ATTACHMENT_IS_VALID: &str = "model.slack_attachment.is_valid.app_error";
    pub const UPDATE_POST_PERMISSIONS_DETAILS: &str = "api.post.update_post.permissions_details.app_error";
}

/// Teams and team membership.
pub mod teams {
    pub const CREATE_TEAM_NO_CREATOR: &str = "api.team.create_team.no_creator.app_error";
    pub const NOT_FOUND: &str = "app.team.get.find.app_error";
    pub const GET_MEMBER_MISSING: &str = "app.team.get_member.missing.app_error";
    pub const IS_VALID_DESCRIPTION: &str = "model.team.is_valid.description.app_error";
    pub const IS_VALID_NAME: &str = "model.team.is_valid.name.app_error";
    pub const IS_VALID_TYPE: &str = "model.team.is_valid.type.app_error";
    pub const SAVE_EXISTING: &str = "app.team.save.existing.app_error";
}

/// Users, bots and access tokens.
pub mod users {
    pub const BOT_IS_VALID_DESCRIPTION: &str = "model.bot.is_valid.description.app_error";
    pub const CHECK_USER_LOGIN_ATTEMPTS_TOO_MANY: &str = "api.user.check_user_login_attempts.too_many.app_error";
    pub const CREATE_USER_SIGNUP_EMAIL_DISABLED: &str = "api.user.create_user.signup_email_disabled.app_error";
    pub const GET_USER_BY_EMAIL_PERMISSIONS: &str = "api.user.get_user_by_email.permissions.app_error";
    pub const IS_VALID_EMAIL: &str = "model.user.is_valid.email.app_error";
    pub const IS_VALID_FIRST_NAME: &str = "model.user.is_valid.first_name.app_error";
    pub const IS_VALID_LAST_NAME: &str = "model.user.is_valid.last_name.app_error";
    pub const IS_VALID_NICKNAME: &str = "model.user.is_valid.nickname.app_error";
    pub const IS_VALID_POSITION: &str = "model.user.is_valid.position.app_error";
    pub const IS_VALID_PWD: &str = "model.user.is_valid.pwd.app_error";
    pub const IS_VALID_USERNAME: &str = "model.user.is_valid.username.app_error";
    pub const LOGIN_INACTIVE: &str = "api.user.login.inactive.app_error";
    pub const LOGIN_INVALID_CREDENTIALS_EMAIL_USERNAME: &str = "api.user.login.invalid_credentials_email_username";
    pub const LOGIN_REJECTED_BY_PLUGIN: &str = "api.user.login.rejected_by_plugin.app_error";
    pub const NOT_FOUND: &str = "app.user.missing_account.const";
    pub const PASSWORD_HASHING_BUSY: &str = "app.user.password_hashing.busy.app_error";
    pub const SAVE_EMAIL_EXISTS: &str = "app.user.save.email_exists.app_error";
    pub const SAVE_USERNAME_EXISTS: &str = "app.user.save.username_exists.app_error";
    pub const SQL_BOT_GET_MISSING: &str = "store.sql_bot.get.missing.app_error";
    pub const UPDATE_PASSWORD_CONTEXT: &str = "api.user.update_password.context.app_error";
    pub const UPDATE_PASSWORD_INCORRECT: &str = "api.user.update_password.incorrect.app_error";
    pub const USER_ACCESS_TOKEN_GET_BY_ID: &str = "app.user_access_token.get_by_id.app_error";
    pub const USER_ACCESS_TOKEN_IS_VALID_DESCRIPTION: &str = "model.user_access_token.is_valid.description.app_error";
}

/// Incoming and outgoing webhooks.
pub mod webhooks {
    pub const API_INCOMING_WEBHOOK_DISABLED: &str = "api.incoming_webhook.disabled.app_error";
    pub const INCOMING_HOOK_CHANNEL_ID: &str = "model.incoming_hook.channel_id.app_error";
    pub const INCOMING_HOOK_DESCRIPTION: &str = "model.incoming_hook.description.app_error";
    pub const INCOMING_HOOK_DISPLAY_NAME: &str = "model.incoming_hook.display_name.app_error";
    pub const INCOMING_HOOK_ICON_URL: &str = "model.incoming_hook.icon_url.app_error";
    pub const INCOMING_HOOK_PARSE_DATA: &str = "model.incoming_hook.parse_data.app_error";
    pub const INCOMING_HOOK_USERNAME: &str = "model.incoming_hook.username.app_error";
    pub const INCOMING_HOOK_USER_ID: &str = "model.incoming_hook.user_id.app_error";
    pub const INCOMING_WEBHOOK_CHANNEL: &str = "web.incoming_webhook.channel.app_error";
    pub const INCOMING_WEBHOOK_CHANNEL_LOCKED: &str = "web.incoming_webhook.channel_locked.app_error";
    pub const INCOMING_WEBHOOK_INVALID: &str = "web.incoming_webhook.invalid.app_error";
    pub const INCOMING_WEBHOOK_PERMISSIONS: &str = "web.incoming_webhook.permissions.app_error";
    pub const INCOMING_WEBHOOK_SPLIT_PROPS_LENGTH: &str = "web.incoming_webhook.split_props_length.app_error";
    pub const INCOMING_WEBHOOK_TEXT: &str = "web.incoming_webhook.text.app_error";
    pub const INCOMING_WEBHOOK_USER: &str = "web.incoming_webhook.user.app_error";
    pub const OUTGOING_HOOK_IS_VALID_CALLBACK: &str = "model.outgoing_hook.is_valid.callback.app_error";
    pub const OUTGOING_HOOK_IS_VALID_CHANNEL_ID: &str = "model.outgoing_hook.is_valid.channel_id.app_error";
    pub const OUTGOING_HOOK_IS_VALID_CONTENT_TYPE: &str = "model.outgoing_hook.is_valid.content_type.app_error";
    pub const OUTGOING_HOOK_IS_VALID_DESCRIPTION: &str = "model.outgoing_hook.is_valid.description.app_error";
    pub const OUTGOING_HOOK_IS_VALID_DISPLAY_NAME: &str = "model.outgoing_hook.is_valid.display_name.app_error";
    pub const OUTGOING_HOOK_IS_VALID_ICON_URL: &str = "model.outgoing_hook.is_valid.icon_url.app_error";
    pub const OUTGOING_HOOK_IS_VALID_TEAM_ID: &str = "model.outgoing_hook.is_valid.team_id.app_error";
    pub const OUTGOING_HOOK_IS_VALID_TRIGGER_WHEN: &str = "model.outgoing_hook.is_valid.trigger_when.app_error";
    pub const OUTGOING_HOOK_IS_VALID_TRIGGER_WORDS: &str = "model.outgoing_hook.is_valid.trigger_words.app_error";
    pub const OUTGOING_HOOK_IS_VALID_URL: &str = "model.outgoing_hook.is_valid.url.app_error";
    pub const OUTGOING_HOOK_IS_VALID_USERNAME: &str = "model.outgoing_hook.is_valid.username.app_error";
    pub const OUTGOING_HOOK_IS_VALID_WORDS: &str = "model.outgoing_hook.is_valid.words.app_error";
    pub const OUTGOING_WEBHOOK_DISABLED: &str = "api.outgoing_webhook.disabled.app_error";
    pub const INCOMING_NOT_FOUND: &str = "app.webhooks.get_incoming.app_error";
    pub const OUTGOING_NOT_FOUND: &str = "app.webhooks.get_outgoing.app_error";
    pub const WEBHOOK_CREATE_OUTGOING_INTERSECT: &str = "api.webhook.create_outgoing.intersect.app_error";
    pub const WEBHOOK_CREATE_OUTGOING_NOT_OPEN: &str = "api.webhook.create_outgoing.not_open.app_error";
    pub const WEBHOOK_CREATE_OUTGOING_PERMISSIONS: &str = "api.webhook.create_outgoing.permissions.app_error";
    pub const WEBHOOK_CREATE_OUTGOING_TRIGGERS: &str = "api.webhook.create_outgoing.triggers.app_error";
    pub const WEBHOOK_INCOMING: &str = "api.webhook.incoming.error";
    pub const WEBHOOK_TEAM_MISMATCH: &str = "api.webhook.team_mismatch.app_error";
    pub const WEB_INCOMING_WEBHOOK_DISABLED: &str = "web.incoming_webhook.disabled.app_error";
}

/// WebSocket client actions.
pub mod websocket {
    pub const INVALID_PARAM: &str = "api.websocket_handler.invalid_param.app_error";
    pub const BAD_ACTION: &str = "api.web_socket_router.bad_action.app_error";
    pub const BAD_TOKEN: &str = "api.web_socket_router.bad_token.app_error";
    pub const NOT_AUTHENTICATED: &str = "api.web_socket_router.not_authenticated.app_error";
}
