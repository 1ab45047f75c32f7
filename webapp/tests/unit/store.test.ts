import { describe, expect, it } from 'vitest';

import type { Channel, ChannelMember, Post } from '../../src/api/types';
import { channelsActions, postsActions, usersActions } from '../../src/store/entities';
import { makeStore } from '../../src/store/index';
import { channelLabel, isUnread, mentionsUser, sidebarGroups } from '../../src/store/selectors';

function post(id: string, at: number, extra: Partial<Post> = {}): Post {
  return { id, create_at: at, update_at: at, edit_at: 0, delete_at: 0, user_id: 'u1', channel_id: 'c1', root_id: '', message: id, type: '', props: {}, ...extra };
}

function channel(id: string, extra: Partial<Channel> = {}): Channel {
  return { id, team_id: 't1', type: 'O', name: id, display_name: id.toUpperCase(), last_post_at: 0, total_msg_count: 0, ...extra };
}

function member(channelId: string, extra: Partial<ChannelMember> = {}): ChannelMember {
  return { channel_id: channelId, user_id: 'me', last_viewed_at: 0, msg_count: 0, mention_count: 0, ...extra };
}

describe('entities state', () => {
  it('has the slices Mattermost plugins read', () => {
    const state = makeStore().getState();
    expect(Object.keys(state.entities).sort()).toEqual(['admin', 'channels', 'general', 'posts', 'preferences', 'teams', 'users']);
    expect(state.entities.admin).toMatchObject({ plugins: {}, pluginStatuses: {} });
    expect(state.entities.users).toMatchObject({ currentUserId: '', profiles: {} });
    expect(state.entities.posts).toMatchObject({ posts: {}, postsInChannel: {}, postsInThread: {} });
  });

  it('keeps a channel’s posts newest first and pages older ones in', () => {
    const store = makeStore();
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('b', 2), post('c', 3)], oldest: false }));
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('a', 1)], oldest: true }));
    const block = store.getState().entities.posts.postsInChannel.c1[0];
    expect(block.order).toEqual(['c', 'b', 'a']);
    expect(block.oldest).toBe(true);
  });

  it('replaces a pending post with the server’s and ignores stale edits', () => {
    const store = makeStore();
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [], oldest: true }));
    store.dispatch(postsActions.receivedPost(post('pending1', 5, { pending_post_id: 'pending1' })));
    store.dispatch(postsActions.receivedPost(post('real', 5, { pending_post_id: 'pending1' })));
    expect(store.getState().entities.posts.postsInChannel.c1[0].order).toEqual(['real']);
    store.dispatch(postsActions.receivedPost(post('real', 5, { update_at: 9, message: 'new' })));
    store.dispatch(postsActions.receivedPost(post('real', 5, { update_at: 7, message: 'old' })));
    expect(store.getState().entities.posts.posts.real.message).toBe('new');
  });

  it('threads replies under their root and deletes them with it', () => {
    const store = makeStore();
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('root', 1)], oldest: true }));
    store.dispatch(postsActions.receivedPost(post('r2', 3, { root_id: 'root' })));
    store.dispatch(postsActions.receivedPost(post('r1', 2, { root_id: 'root' })));
    expect(store.getState().entities.posts.postsInThread.root).toEqual(['r1', 'r2']);
    store.dispatch(postsActions.postDeleted(post('root', 1)));
    const s = store.getState().entities.posts;
    expect(s.posts.r1).toBeUndefined();
    expect(s.postsInChannel.c1[0].order).toEqual([]);
  });

  it('toggles reactions', () => {
    const store = makeStore();
    const r = { user_id: 'u1', post_id: 'p', emoji_name: '+1', create_at: 1 };
    store.dispatch(postsActions.receivedReaction(r));
    expect(Object.keys(store.getState().entities.posts.reactions.p)).toEqual(['u1-+1']);
    store.dispatch(postsActions.removedReaction(r));
    expect(store.getState().entities.posts.reactions.p).toEqual({});
  });

  it('counts unread and mentions, and clears them when viewed', () => {
    const store = makeStore();
    store.dispatch(channelsActions.receivedChannels([channel('c1', { last_post_at: 1, total_msg_count: 1 })]));
    store.dispatch(channelsActions.receivedMyChannelMembers({ members: [member('c1', { last_viewed_at: 1, msg_count: 1 })], counts: true }));
    const unread = () => {
      const s = store.getState().entities.channels;
      return isUnread(s.channels.c1, s.myMembers.c1, s.countsAvailable);
    };
    expect(unread()).toBe(false);
    store.dispatch(channelsActions.postArrived({ post: post('p', 5), mentioned: true, read: false }));
    expect(unread()).toBe(true);
    expect(store.getState().entities.channels.myMembers.c1.mention_count).toBe(1);
    store.dispatch(channelsActions.channelViewed({ channelId: 'c1', at: 6 }));
    expect(unread()).toBe(false);
    expect(store.getState().entities.channels.myMembers.c1.mention_count).toBe(0);
    // my own post, or one in the channel I am reading, is read at once
    store.dispatch(channelsActions.postArrived({ post: post('q', 7), mentioned: false, read: true }));
    expect(unread()).toBe(false);
  });

  it('groups the sidebar and names direct channels after the other person', () => {
    const store = makeStore();
    store.dispatch(usersActions.receivedMe({ id: 'me', username: 'me' }));
    store.dispatch(usersActions.receivedProfiles([{ id: 'zed', username: 'zed' }]));
    store.dispatch(
      channelsActions.receivedChannels([
        channel('b'),
        channel('a'),
        channel('p', { type: 'P' }),
        channel('d', { type: 'D', team_id: '', name: 'me__zed' }),
        channel('notmine'),
      ]),
    );
    store.dispatch(channelsActions.receivedMyChannelMembers({ members: ['a', 'b', 'p', 'd'].map((id) => member(id)), counts: false }));
    const g = sidebarGroups(store.getState(), 't1');
    expect(g.publicChannels.map((c) => c.id)).toEqual(['a', 'b']);
    expect(g.privateChannels.map((c) => c.id)).toEqual(['p']);
    expect(g.directChannels.map((c) => channelLabel(store.getState(), c))).toEqual(['zed']);
  });
});

describe('mentionsUser', () => {
  it('finds @username and the channel-wide mentions, not e-mail addresses', () => {
    expect(mentionsUser('hey @Bob.', 'bob')).toBe(true);
    expect(mentionsUser('@here now', 'bob')).toBe(true);
    expect(mentionsUser('@all', 'bob')).toBe(true);
    expect(mentionsUser('bob@example.com', 'bob')).toBe(false);
    expect(mentionsUser('@bobby', 'bob')).toBe(false);
  });
});
