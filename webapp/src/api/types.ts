// Mattermost API v4 shapes the client reads (the fields it uses; servers may send more).

export interface User {
  id: string;
  username: string;
  email?: string;
  nickname?: string;
  first_name?: string;
  last_name?: string;
  roles?: string;
  is_bot?: boolean;
  delete_at?: number;
  update_at?: number;
  locale?: string;
  timezone?: { useAutomaticTimezone?: string; automaticTimezone?: string; manualTimezone?: string };
}

export interface Team {
  id: string;
  name: string;
  display_name: string;
  type: 'O' | 'I';
  allow_open_invite?: boolean;
  delete_at?: number;
}

export interface TeamMember {
  team_id: string;
  user_id: string;
  roles: string;
  delete_at?: number;
}

export interface TeamUnread {
  team_id: string;
  msg_count: number;
  mention_count: number;
}

export type ChannelType = 'O' | 'P' | 'D' | 'G';

export interface Channel {
  id: string;
  team_id: string;
  type: ChannelType;
  name: string;
  display_name: string;
  header?: string;
  purpose?: string;
  last_post_at: number;
  total_msg_count?: number;
  delete_at?: number;
  creator_id?: string;
}

export interface ChannelMember {
  channel_id: string;
  user_id: string;
  roles?: string;
  last_viewed_at: number;
  msg_count: number;
  mention_count: number;
  notify_props?: Record<string, string>;
  last_update_at?: number;
}

export interface Reaction {
  user_id: string;
  post_id: string;
  emoji_name: string;
  create_at: number;
}

export interface AttachmentField {
  title: string;
  value: string | number;
  short?: boolean;
}

export interface ActionOption {
  text: string;
  value: string;
}

export interface PostAction {
  id: string;
  name: string;
  type?: 'button' | 'select';
  style?: string;
  disabled?: boolean;
  options?: ActionOption[];
  data_source?: string;
  default_option?: string;
}

export interface Attachment {
  fallback?: string;
  color?: string;
  pretext?: string;
  author_name?: string;
  author_link?: string;
  author_icon?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: AttachmentField[];
  image_url?: string;
  thumb_url?: string;
  footer?: string;
  footer_icon?: string;
  actions?: PostAction[];
}

export interface Post {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
  type: string;
  props: {
    attachments?: Attachment[];
    from_webhook?: string;
    override_username?: string;
    override_icon_url?: string;
    [key: string]: unknown;
  };
  metadata?: { reactions?: Reaction[] };
  reply_count?: number;
  is_pinned?: boolean;
  pending_post_id?: string;
}

export interface PostList {
  order: string[];
  posts: Record<string, Post>;
  next_post_id?: string;
  prev_post_id?: string;
}

export interface Preference {
  user_id: string;
  category: string;
  name: string;
  value: string;
}

export interface Status {
  user_id: string;
  status: 'online' | 'away' | 'dnd' | 'offline' | string;
  manual?: boolean;
  last_activity_at?: number;
}

export interface AutocompleteSuggestion {
  Complete: string;
  Suggestion: string;
  Hint: string;
  Description: string;
  IconData?: string;
}

export interface DialogElement {
  display_name: string;
  name: string;
  type: 'text' | 'textarea' | 'select' | 'bool' | 'radio' | string;
  subtype?: string;
  default?: string;
  placeholder?: string;
  help_text?: string;
  optional?: boolean;
  min_length?: number;
  max_length?: number;
  data_source?: string;
  options?: { text: string; value: string }[];
}

export interface Dialog {
  callback_id?: string;
  title: string;
  introduction_text?: string;
  icon_url?: string;
  elements?: DialogElement[];
  submit_label?: string;
  notify_on_cancel?: boolean;
  state?: string;
}

export interface OpenDialog {
  trigger_id?: string;
  url: string;
  dialog: Dialog;
}

export interface ApiErrorBody {
  id: string;
  message: string;
  status_code: number;
  request_id?: string;
}

/** What `GET /api/v4/plugins/webapp` and `plugin_enabled` carry: Mattermost's client manifest. */
export interface ClientPluginManifest {
  id: string;
  version: string;
  name?: string;
  description?: string;
  props?: Record<string, unknown>;
  webapp?: { bundle_path: string };
}
