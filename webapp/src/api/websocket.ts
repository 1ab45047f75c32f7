// The event stream: `/api/v4/websocket`, authenticated with the challenge, dispatched into
// the store; reconnects with backoff and catches up on what was missed while away.

import type { ClientPluginManifest, OpenDialog, Post, Preference, Reaction } from './types';
import { getToken } from './client';
import { pluginComponents } from '../plugins/components';
import { activePluginLoader } from '../plugins/loader';
import { catchUp, loadMe, loadProfiles, loadTeamChannels, markViewed } from '../store/actions';
import { channelsActions, generalActions, postsActions, preferencesActions, teamsActions, usersActions } from '../store/entities';
import type { AppStore } from '../store/index';
import { mentionsUser } from '../store/selectors';
import { viewsActions } from '../store/views';

export interface WsEvent {
  event: string;
  data: Record<string, unknown>;
  broadcast: { channel_id?: string; team_id?: string; user_id?: string };
  seq: number;
}

/** How long a typing mark stays without a new `typing` event (Mattermost: 5 s). */
export const TYPING_MS = 5000;

function parse<T>(value: unknown): T | null {
  if (typeof value !== 'string') return (value as T) ?? null;
  try {
    return JSON.parse(value) as T;
  } catch {
    return null;
  }
}

export class EventStream {
  private socket: WebSocket | null = null;
  private seq = 1;
  private retries = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** When the last connection dropped; 0 before any drop. */
  private lostAt = 0;
  private lastTypingSent = 0;
  private readonly store: AppStore;

  constructor(store: AppStore) {
    this.store = store;
  }

  connect(): void {
    this.closed = false;
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${proto}//${location.host}/api/v4/websocket`);
    this.socket = socket;
    socket.onopen = () => {
      const token = getToken();
      if (token) this.send('authentication_challenge', { token });
    };
    socket.onmessage = (message) => {
      const msg = parse<WsEvent & { seq_reply?: number }>(message.data);
      if (msg && msg.event) this.handle(msg);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.store.dispatch(generalActions.websocketState(false));
      if (this.closed) return;
      if (!this.lostAt) this.lostAt = Date.now();
      // 1 s, 2 s, 4 s ... up to 15 s, with some spread so many clients do not return at once.
      const delay = Math.min(15000, 1000 * 2 ** this.retries) * (0.75 + Math.random() / 2);
      this.retries += 1;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  send(action: string, data: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ seq: this.seq++, action, data }));
    }
  }

  /** A post was sent: the next keystroke may say "typing" again at once. */
  postSent(): void {
    this.lastTypingSent = 0;
  }

  /** Tell the channel I am typing; at most once every 3 s, as Mattermost's webapp. */
  userTyping(channelId: string, parentId = ''): void {
    const now = Date.now();
    if (now - this.lastTypingSent < 3000) return;
    this.lastTypingSent = now;
    this.send('user_typing', { channel_id: channelId, parent_id: parentId });
  }

  private handle(msg: WsEvent): void {
    const { dispatch, getState } = this.store;
    const data = msg.data ?? {};
    switch (msg.event) {
      case 'hello': {
        this.retries = 0;
        dispatch(generalActions.websocketState(true));
        dispatch(generalActions.receivedServerVersion(String(data.server_version ?? '')));
        if (this.lostAt) {
          // Posts are stamped by the server's clock; a margin covers clock skew.
          const since = this.lostAt - 30000;
          this.lostAt = 0;
          void dispatch(catchUp(since)).catch(() => {});
          // Plugins enabled or disabled while away, then the plugins' own reconnect handlers.
          void activePluginLoader()?.sync();
          pluginComponents.dispatchReconnect();
        }
        break;
      }
      case 'plugin_enabled':
      case 'plugin_disabled': {
        const manifest = parse<ClientPluginManifest>(data.manifest);
        const loader = activePluginLoader();
        if (!manifest?.id || !loader) break;
        if (msg.event === 'plugin_enabled') loader.load(manifest).catch((e: Error) => console.error(e.message));
        else loader.remove(manifest);
        break;
      }
      case 'posted':
      case 'ephemeral_message': {
        const post = parse<Post>(data.post);
        if (!post) break;
        void this.posted(post, msg.event === 'ephemeral_message', parse<string[]>(data.mentions), String(data.team_id ?? ''));
        break;
      }
      case 'post_edited': {
        const post = parse<Post>(data.post);
        if (post) dispatch(postsActions.receivedPost(post));
        break;
      }
      case 'post_deleted': {
        const post = parse<Post>(data.post);
        if (post) dispatch(postsActions.postDeleted(post));
        break;
      }
      case 'reaction_added':
      case 'reaction_removed': {
        const reaction = parse<Reaction>(data.reaction);
        if (!reaction) break;
        dispatch(msg.event === 'reaction_added' ? postsActions.receivedReaction(reaction) : postsActions.removedReaction(reaction));
        break;
      }
      case 'typing': {
        const userId = String(data.user_id ?? '');
        const channelId = msg.broadcast.channel_id ?? '';
        const parent = String(data.parent_id ?? '');
        const key = parent ? `${channelId}:${parent}` : channelId;
        dispatch(viewsActions.typing({ key, userId, until: Date.now() + TYPING_MS }));
        void dispatch(loadProfiles([userId]));
        setTimeout(() => {
          const until = this.store.getState().views.typing[key]?.[userId] ?? 0;
          if (until <= Date.now()) dispatch(viewsActions.stoppedTyping({ key, userId }));
        }, TYPING_MS + 50);
        break;
      }
      case 'channel_viewed':
        dispatch(channelsActions.channelViewed({ channelId: String(data.channel_id ?? ''), at: Date.now() }));
        break;
      case 'open_dialog': {
        const dialog = parse<OpenDialog>(data.dialog);
        if (dialog) dispatch(viewsActions.openDialog(dialog));
        break;
      }
      case 'status_change':
        dispatch(usersActions.receivedStatuses([{ user_id: String(data.user_id), status: String(data.status) }]));
        break;
      case 'preferences_changed':
      case 'preferences_deleted': {
        const prefs = parse<Preference[]>(data.preferences) ?? [];
        dispatch(msg.event === 'preferences_changed' ? preferencesActions.receivedPreferences(prefs) : preferencesActions.deletedPreferences(prefs));
        break;
      }
      case 'channel_created':
      case 'direct_added':
      case 'group_added':
      case 'user_added':
      case 'user_removed': {
        const me = getState().entities.users.currentUserId;
        if (msg.event === 'user_removed' && (data.user_id === me || msg.broadcast.user_id === me) && data.channel_id) {
          dispatch(channelsActions.removedChannelMember(String(data.channel_id)));
        }
        const teamId = getState().entities.teams.currentTeamId;
        if (teamId) void dispatch(loadTeamChannels(teamId)).catch(() => {});
        break;
      }
      case 'added_to_team':
      case 'leave_team':
        void dispatch(loadMe()).catch(() => {});
        break;
      default:
        break;
    }
    // Plugins see every event after the client has handled it, as in Mattermost.
    pluginComponents.dispatchWebSocketEvent({ event: msg.event, data, broadcast: msg.broadcast ?? {}, seq: msg.seq });
  }

  private async posted(post: Post, ephemeral: boolean, mentions: string[] | null, teamId: string): Promise<void> {
    const { dispatch, getState } = this.store;
    const meId = getState().entities.users.currentUserId;
    if (!ephemeral && teamId && teamId !== getState().entities.teams.currentTeamId) {
      // A channel of another team: only that team's mark changes.
      const mentioned = post.user_id !== meId && (mentions?.includes(meId) ?? false);
      if (post.user_id !== meId) dispatch(teamsActions.postInOtherTeam({ teamId, mentioned }));
      return;
    }
    await dispatch(loadProfiles([post.user_id])).catch(() => {});
    const state = getState();
    const me = state.entities.users.profiles[state.entities.users.currentUserId];
    if (!state.entities.channels.channels[post.channel_id] && !ephemeral) {
      const teamId = state.entities.teams.currentTeamId;
      if (teamId) await dispatch(loadTeamChannels(teamId)).catch(() => {});
    }
    const key = post.root_id ? `${post.channel_id}:${post.root_id}` : post.channel_id;
    dispatch(viewsActions.stoppedTyping({ key, userId: post.user_id }));
    dispatch(postsActions.receivedPost(post));
    if (ephemeral) return;
    const mine = post.user_id === me?.id;
    const reading = getState().entities.channels.currentChannelId === post.channel_id && document.visibilityState !== 'hidden';
    // Every post in a direct channel is a mention, as in Mattermost.
    const direct = getState().entities.channels.channels[post.channel_id]?.type === 'D';
    const mentioned = !mine && (direct || (mentions?.includes(me?.id ?? '') ?? false) || mentionsUser(post.message, me?.username ?? ''));
    dispatch(channelsActions.postArrived({ post, mentioned, read: mine || reading }));
    if (reading && !mine) void dispatch(markViewed(post.channel_id)).catch(() => {});
  }
}
