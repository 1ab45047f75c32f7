// What the client does, as thunks over Client4: the first load, team and channel
// switches, history paging, posting, and the catch-up after a reconnect.

import { Client4, isNotFound } from '../api/client';
import type { Channel, ChannelMember, Post, PostList } from '../api/types';
import { channelsActions, generalActions, postsActions, preferencesActions, teamsActions, usersActions } from './entities';
import type { AppDispatch, GetState } from './index';
import { viewsActions } from './views';

export const PAGE_SIZE = 60;

type Thunk<T = void> = (dispatch: AppDispatch, getState: GetState) => Promise<T>;

/** Run a call whose route may not exist on this server yet; a 404 gives `fallback`. */
async function optional<T>(call: Promise<T>, fallback: T): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (isNotFound(e)) return fallback;
    throw e;
  }
}

function postsOf(list: PostList): Post[] {
  return list.order.map((id) => list.posts[id]).filter(Boolean);
}

/** The profiles of these users that are not loaded yet, and their statuses. */
export function loadProfiles(ids: string[]): Thunk {
  return async (dispatch, getState) => {
    const profiles = getState().entities.users.profiles;
    const missing = [...new Set(ids)].filter((id) => id && !profiles[id]);
    if (missing.length === 0) return;
    dispatch(usersActions.receivedProfiles(await Client4.getUsersByIds(missing)));
    const statuses = await optional(Client4.getStatusesByIds(missing), []);
    dispatch(usersActions.receivedStatuses(statuses));
  };
}

/** Mattermost's first-load batch: me, my teams and team members, unreads, preferences, config. */
export function loadMe(): Thunk {
  return async (dispatch) => {
    const me = await Client4.getMe();
    dispatch(usersActions.receivedMe(me));
    const [teams, members, unreads, prefs, config] = await Promise.all([
      Client4.getMyTeams(),
      optional(Client4.getMyTeamMembers(), []),
      optional(Client4.getMyTeamUnreads(), []),
      optional(Client4.getMyPreferences(), []),
      optional(Client4.getClientConfig(), {}),
    ]);
    dispatch(teamsActions.receivedTeams(teams));
    // Without the members route every team I belong to is still mine.
    const teamMembers = members.length > 0 ? members : teams.map((t) => ({ team_id: t.id, user_id: me.id, roles: 'team_user' }));
    dispatch(teamsActions.receivedMyTeamMembers(teamMembers));
    dispatch(teamsActions.receivedTeamUnreads(unreads));
    dispatch(preferencesActions.receivedPreferences(prefs));
    dispatch(generalActions.receivedConfig(config));
    const statuses = await optional(Client4.getStatusesByIds([me.id]), []);
    dispatch(usersActions.receivedStatuses(statuses));
  };
}

/** A team's channels with my memberships (counts when the server has them). */
export function loadTeamChannels(teamId: string): Thunk {
  return async (dispatch, getState) => {
    const channels = await Client4.getMyChannels(teamId);
    dispatch(channelsActions.receivedChannels(channels));
    let members: ChannelMember[] | null = await optional(Client4.getMyChannelMembers(teamId), null);
    const counts = members !== null;
    if (members === null) {
      // Without real counts, what was there at load counts as read; newer posts mark unread.
      const me = getState().entities.users.currentUserId;
      const known = getState().entities.channels.myMembers;
      members = channels.map(
        (c) => known[c.id] ?? { channel_id: c.id, user_id: me, last_viewed_at: c.last_post_at, msg_count: c.total_msg_count ?? 0, mention_count: 0 },
      );
    }
    dispatch(channelsActions.receivedMyChannelMembers({ members, counts }));
    const me = getState().entities.users.currentUserId;
    const dmPeople = channels.filter((c) => c.type === 'D').flatMap((c) => c.name.split('__')).filter((id) => id !== me);
    await dispatch(loadProfiles(dmPeople));
  };
}

export function selectTeam(teamId: string): Thunk {
  return async (dispatch, getState) => {
    if (getState().entities.teams.currentTeamId !== teamId) {
      dispatch(teamsActions.selectTeam(teamId));
      dispatch(teamsActions.clearTeamUnread(teamId));
    }
    await dispatch(loadTeamChannels(teamId));
  };
}

/** Open a channel: its recent posts, the people in them, and mark it viewed. */
export function openChannel(channelId: string): Thunk {
  return async (dispatch, getState) => {
    const previous = getState().entities.channels.currentChannelId;
    dispatch(channelsActions.selectChannel(channelId));
    dispatch(viewsActions.editPost(''));
    const loaded = getState().entities.posts.postsInChannel[channelId];
    if (!loaded) await dispatch(loadPosts(channelId));
    await dispatch(markViewed(channelId, previous === channelId ? '' : previous));
  };
}

export function markViewed(channelId: string, previous = ''): Thunk {
  return async (dispatch) => {
    dispatch(channelsActions.channelViewed({ channelId, at: Date.now() }));
    await optional(Client4.viewChannel(channelId, previous), null);
  };
}

export function loadPosts(channelId: string): Thunk {
  return async (dispatch) => {
    const list = await Client4.getPosts(channelId, PAGE_SIZE);
    const posts = postsOf(list);
    await dispatch(loadProfiles(posts.map((p) => p.user_id)));
    dispatch(postsActions.receivedPostsInChannel({ channelId, posts, oldest: list.order.length < PAGE_SIZE, replace: true }));
  };
}

/** The page before the oldest post shown; false when there is nothing older. */
export function loadOlderPosts(channelId: string): Thunk<boolean> {
  return async (dispatch, getState) => {
    const block = getState().entities.posts.postsInChannel[channelId]?.[0];
    if (!block || block.oldest) return false;
    const oldestId = block.order[block.order.length - 1];
    if (!oldestId) return false;
    const list = await Client4.getPostsBefore(channelId, oldestId, PAGE_SIZE);
    const posts = postsOf(list);
    await dispatch(loadProfiles(posts.map((p) => p.user_id)));
    dispatch(postsActions.receivedPostsInChannel({ channelId, posts, oldest: list.order.length < PAGE_SIZE }));
    return posts.length > 0;
  };
}

/** After a reconnect: what each loaded channel missed, and fresh unread counts. */
export function catchUp(since: number): Thunk {
  return async (dispatch, getState) => {
    const state = getState();
    const channelIds = Object.keys(state.entities.posts.postsInChannel);
    for (const channelId of channelIds) {
      const list = await Client4.getPostsSince(channelId, since);
      const posts = postsOf(list);
      await dispatch(loadProfiles(posts.map((p) => p.user_id)));
      for (const p of posts.sort((a, b) => a.create_at - b.create_at)) {
        if (p.delete_at) dispatch(postsActions.postDeleted(p));
        else dispatch(postsActions.receivedPost(p));
      }
    }
    const teamId = state.entities.teams.currentTeamId;
    if (teamId) await dispatch(loadTeamChannels(teamId));
    const unreads = await optional(Client4.getMyTeamUnreads(), []);
    dispatch(teamsActions.receivedTeamUnreads(unreads));
    const current = getState().entities.channels.currentChannelId;
    if (current) await dispatch(markViewed(current));
  };
}

export function loadThread(rootId: string): Thunk {
  return async (dispatch) => {
    const list = await Client4.getThread(rootId);
    const posts = postsOf(list);
    await dispatch(loadProfiles(posts.map((p) => p.user_id)));
    for (const p of posts) dispatch(postsActions.receivedPost(p));
  };
}

let pendingCounter = 0;

/** Post a message; shown at once, replaced by the server's post when it answers. */
export function createPost(channelId: string, message: string, rootId = '', extra: { type?: string; props?: Post['props'] } = {}): Thunk {
  return async (dispatch, getState) => {
    const me = getState().entities.users.currentUserId;
    const now = Date.now();
    const pendingId = `${me}:${now}:${pendingCounter++}`;
    const pending: Post = {
      id: pendingId,
      pending_post_id: pendingId,
      create_at: now,
      update_at: now,
      edit_at: 0,
      delete_at: 0,
      user_id: me,
      channel_id: channelId,
      root_id: rootId,
      message,
      type: extra.type ?? '',
      props: extra.props ?? {},
    };
    dispatch(postsActions.receivedPost(pending));
    try {
      const post = await Client4.createPost({ channel_id: channelId, message, root_id: rootId, pending_post_id: pendingId, ...extra });
      dispatch(postsActions.receivedPost({ ...post, pending_post_id: pendingId }));
      dispatch(channelsActions.channelViewed({ channelId, at: post.create_at }));
    } catch (e) {
      dispatch(postsActions.postDeleted(pending));
      throw e;
    }
  };
}

export function joinChannel(channel: Channel): Thunk {
  return async (dispatch, getState) => {
    const me = getState().entities.users.currentUserId;
    const member = await Client4.addToChannel(channel.id, me);
    dispatch(channelsActions.receivedChannels([channel]));
    dispatch(channelsActions.receivedMyChannelMembers({ members: [member], counts: false }));
  };
}

export function openDirectChannel(userId: string): Thunk<Channel> {
  return async (dispatch, getState) => {
    const me = getState().entities.users.currentUserId;
    const channel = await Client4.createDirectChannel(me, userId);
    dispatch(channelsActions.receivedChannels([channel]));
    const member = await optional(Client4.getChannelMember(channel.id, me), null);
    dispatch(
      channelsActions.receivedMyChannelMembers({
        members: [member ?? { channel_id: channel.id, user_id: me, last_viewed_at: Date.now(), msg_count: 0, mention_count: 0 }],
        counts: false,
      }),
    );
    await dispatch(loadProfiles([userId]));
    return channel;
  };
}

/** Join a public channel reached by its link when not yet a member. */
export function joinIfNeeded(channel: Channel): Thunk {
  return async (dispatch, getState) => {
    if (getState().entities.channels.myMembers[channel.id]) return;
    if (channel.type === 'O') await dispatch(joinChannel(channel));
    else dispatch(channelsActions.receivedChannels([channel]));
  };
}
