// The `entities` part of the state, shaped as Mattermost's webapp (mattermost-redux) keeps
// it, so webapp plugins can later be handed `store.getState().entities` and find what
// they expect: users.profiles, teams.teams, channels.myMembers, posts.posts, ...

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { Channel, ChannelMember, Post, Preference, Reaction, Status, Team, TeamMember, TeamUnread, User } from '../api/types';
import { adminReducer } from './admin';

export interface UsersState {
  currentUserId: string;
  profiles: Record<string, User>;
  statuses: Record<string, string>;
}

const users = createSlice({
  name: 'users',
  initialState: { currentUserId: '', profiles: {}, statuses: {} } as UsersState,
  reducers: {
    receivedMe(state, action: PayloadAction<User>) {
      state.currentUserId = action.payload.id;
      state.profiles[action.payload.id] = action.payload;
    },
    receivedProfiles(state, action: PayloadAction<User[]>) {
      for (const u of action.payload) state.profiles[u.id] = u;
    },
    receivedStatuses(state, action: PayloadAction<Status[]>) {
      for (const s of action.payload) state.statuses[s.user_id] = s.status;
    },
  },
});

export interface TeamsState {
  currentTeamId: string;
  teams: Record<string, Team>;
  myMembers: Record<string, TeamMember & { msg_count: number; mention_count: number }>;
}

const teams = createSlice({
  name: 'teams',
  initialState: { currentTeamId: '', teams: {}, myMembers: {} } as TeamsState,
  reducers: {
    receivedTeams(state, action: PayloadAction<Team[]>) {
      for (const t of action.payload) state.teams[t.id] = t;
    },
    receivedMyTeamMembers(state, action: PayloadAction<TeamMember[]>) {
      for (const m of action.payload) {
        if (m.delete_at) continue;
        const old = state.myMembers[m.team_id];
        state.myMembers[m.team_id] = { msg_count: old?.msg_count ?? 0, mention_count: old?.mention_count ?? 0, ...m };
      }
    },
    receivedTeamUnreads(state, action: PayloadAction<TeamUnread[]>) {
      for (const u of action.payload) {
        const m = state.myMembers[u.team_id];
        if (m) {
          m.msg_count = u.msg_count;
          m.mention_count = u.mention_count;
        }
      }
    },
    selectTeam(state, action: PayloadAction<string>) {
      state.currentTeamId = action.payload;
    },
    /** A post in a channel of a team not shown now: that team gets an unread mark. */
    postInOtherTeam(state, action: PayloadAction<{ teamId: string; mentioned: boolean }>) {
      const m = state.myMembers[action.payload.teamId];
      if (!m) return;
      m.msg_count += 1;
      if (action.payload.mentioned) m.mention_count += 1;
    },
    /** Opening a team reads its marks afresh from its channels. */
    clearTeamUnread(state, action: PayloadAction<string>) {
      const m = state.myMembers[action.payload];
      if (m) {
        m.msg_count = 0;
        m.mention_count = 0;
      }
    },
  },
});

export interface ChannelsState {
  currentChannelId: string;
  channels: Record<string, Channel>;
  channelsInTeam: Record<string, string[]>;
  myMembers: Record<string, ChannelMember>;
  /** Whether the server gives real member counts (`msg_count`/`mention_count`). */
  countsAvailable: boolean;
}

const channels = createSlice({
  name: 'channels',
  initialState: { currentChannelId: '', channels: {}, channelsInTeam: {}, myMembers: {}, countsAvailable: false } as ChannelsState,
  reducers: {
    receivedChannels(state, action: PayloadAction<Channel[]>) {
      for (const c of action.payload) {
        state.channels[c.id] = c;
        const key = c.team_id || '';
        const list = (state.channelsInTeam[key] ??= []);
        if (!list.includes(c.id)) list.push(c.id);
      }
    },
    receivedMyChannelMembers(state, action: PayloadAction<{ members: ChannelMember[]; counts: boolean }>) {
      for (const m of action.payload.members) state.myMembers[m.channel_id] = m;
      if (action.payload.counts) state.countsAvailable = true;
    },
    removedChannelMember(state, action: PayloadAction<string>) {
      delete state.myMembers[action.payload];
    },
    selectChannel(state, action: PayloadAction<string>) {
      state.currentChannelId = action.payload;
    },
    /** A new post arrived in a channel: count it as unread unless the channel is being read. */
    postArrived(state, action: PayloadAction<{ post: Post; mentioned: boolean; read: boolean }>) {
      const { post, mentioned, read } = action.payload;
      const channel = state.channels[post.channel_id];
      if (channel) {
        channel.last_post_at = Math.max(channel.last_post_at, post.create_at);
        channel.total_msg_count = (channel.total_msg_count ?? 0) + 1;
      }
      const member = state.myMembers[post.channel_id];
      if (!member) return;
      if (read) {
        member.last_viewed_at = Math.max(member.last_viewed_at, post.create_at);
        member.msg_count = channel?.total_msg_count ?? member.msg_count + 1;
        member.mention_count = 0;
      } else if (mentioned) {
        member.mention_count += 1;
      }
    },
    /** The user viewed a channel (here or in another tab: `channel_viewed`). */
    channelViewed(state, action: PayloadAction<{ channelId: string; at: number }>) {
      const member = state.myMembers[action.payload.channelId];
      const channel = state.channels[action.payload.channelId];
      if (!member) return;
      member.last_viewed_at = Math.max(member.last_viewed_at, action.payload.at, channel?.last_post_at ?? 0);
      member.mention_count = 0;
      if (channel?.total_msg_count !== undefined) member.msg_count = channel.total_msg_count;
    },
  },
});

export interface PostsBlock {
  order: string[];
  recent: boolean;
  oldest: boolean;
}

export interface PostsState {
  posts: Record<string, Post>;
  /** Per channel, one block of post ids, newest first (Mattermost keeps a list of blocks). */
  postsInChannel: Record<string, PostsBlock[]>;
  /** Per root post, its replies' ids, oldest first. */
  postsInThread: Record<string, string[]>;
  /** Per post, `user_id-emoji_name` → reaction. */
  reactions: Record<string, Record<string, Reaction>>;
}

function addToThread(state: PostsState, post: Post) {
  if (!post.root_id) return;
  const list = (state.postsInThread[post.root_id] ??= []);
  if (!list.includes(post.id)) {
    list.push(post.id);
    list.sort((a, b) => (state.posts[a]?.create_at ?? 0) - (state.posts[b]?.create_at ?? 0));
  }
}

function storePost(state: PostsState, post: Post) {
  state.posts[post.id] = post;
  const reactions = post.metadata?.reactions;
  if (reactions) {
    state.reactions[post.id] = {};
    for (const r of reactions) state.reactions[post.id][`${r.user_id}-${r.emoji_name}`] = r;
  }
  addToThread(state, post);
}

function sortOrder(state: PostsState, order: string[]) {
  order.sort((a, b) => (state.posts[b]?.create_at ?? 0) - (state.posts[a]?.create_at ?? 0));
}

const posts = createSlice({
  name: 'posts',
  initialState: { posts: {}, postsInChannel: {}, postsInThread: {}, reactions: {} } as PostsState,
  reducers: {
    /** A page of a channel's history. `oldest` when the server had nothing before it. */
    receivedPostsInChannel(state, action: PayloadAction<{ channelId: string; posts: Post[]; oldest: boolean; replace?: boolean }>) {
      const { channelId, oldest, replace } = action.payload;
      const block = (state.postsInChannel[channelId] ??= [{ order: [], recent: true, oldest: false }])[0];
      if (replace) block.order = [];
      for (const p of action.payload.posts) {
        storePost(state, p);
        if (p.delete_at) continue;
        if (!block.order.includes(p.id)) block.order.push(p.id);
      }
      sortOrder(state, block.order);
      if (oldest) block.oldest = true;
    },
    /** One new or changed post (created here, or `posted`/`post_edited` over the socket). */
    receivedPost(state, action: PayloadAction<Post>) {
      const p = action.payload;
      const old = state.posts[p.id];
      // An edit that arrives after a newer one (or after a delete) is stale.
      if (old && old.update_at > p.update_at) return;
      if (p.pending_post_id && p.pending_post_id !== p.id && state.posts[p.pending_post_id]) {
        removeFromLists(state, p.pending_post_id);
      }
      storePost(state, p);
      const block = state.postsInChannel[p.channel_id]?.[0];
      if (block && !block.order.includes(p.id)) {
        block.order.unshift(p.id);
        sortOrder(state, block.order);
      }
    },
    postDeleted(state, action: PayloadAction<Post>) {
      removeFromLists(state, action.payload.id);
    },
    receivedReaction(state, action: PayloadAction<Reaction>) {
      const r = action.payload;
      (state.reactions[r.post_id] ??= {})[`${r.user_id}-${r.emoji_name}`] = r;
    },
    removedReaction(state, action: PayloadAction<Reaction>) {
      const r = action.payload;
      delete state.reactions[r.post_id]?.[`${r.user_id}-${r.emoji_name}`];
    },
  },
});

function removeFromLists(state: PostsState, id: string) {
  const post = state.posts[id];
  if (!post) return;
  delete state.posts[id];
  const block = state.postsInChannel[post.channel_id]?.[0];
  if (block) block.order = block.order.filter((x) => x !== id);
  if (post.root_id && state.postsInThread[post.root_id]) {
    state.postsInThread[post.root_id] = state.postsInThread[post.root_id].filter((x) => x !== id);
  }
  // Deleting a root deletes its thread.
  for (const reply of state.postsInThread[id] ?? []) {
    delete state.posts[reply];
    if (block) block.order = block.order.filter((x) => x !== reply);
  }
  delete state.postsInThread[id];
}

export interface PreferencesState {
  myPreferences: Record<string, Preference>;
}

const preferences = createSlice({
  name: 'preferences',
  initialState: { myPreferences: {} } as PreferencesState,
  reducers: {
    receivedPreferences(state, action: PayloadAction<Preference[]>) {
      for (const p of action.payload) state.myPreferences[`${p.category}--${p.name}`] = p;
    },
    deletedPreferences(state, action: PayloadAction<Preference[]>) {
      for (const p of action.payload) delete state.myPreferences[`${p.category}--${p.name}`];
    },
  },
});

export interface GeneralState {
  config: Record<string, string>;
  license: Record<string, string>;
  serverVersion: string;
  /** Whether the event stream is connected (false while reconnecting). */
  connected: boolean;
}

const general = createSlice({
  name: 'general',
  initialState: { config: {}, license: {}, serverVersion: '', connected: false } as GeneralState,
  reducers: {
    receivedConfig(state, action: PayloadAction<Record<string, string>>) {
      state.config = action.payload;
    },
    receivedServerVersion(state, action: PayloadAction<string>) {
      state.serverVersion = action.payload;
    },
    websocketState(state, action: PayloadAction<boolean>) {
      state.connected = action.payload;
    },
  },
});

export const usersActions = users.actions;
export const teamsActions = teams.actions;
export const channelsActions = channels.actions;
export const postsActions = posts.actions;
export const preferencesActions = preferences.actions;
export const generalActions = general.actions;

export const entitiesReducers = {
  admin: adminReducer,
  users: users.reducer,
  teams: teams.reducer,
  channels: channels.reducer,
  posts: posts.reducer,
  preferences: preferences.reducer,
  general: general.reducer,
};
