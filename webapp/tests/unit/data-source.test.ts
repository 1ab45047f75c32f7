import { afterEach, describe, expect, it, vi } from 'vitest';

import { Client4 } from '../../src/api/client';
import type { Channel, Post, User } from '../../src/api/types';
import { fetchSourceOptions, isDynamicSource } from '../../src/components/DataSourceSelect';
import { postsActions } from '../../src/store/entities';
import { makeStore } from '../../src/store/index';

function channel(id: string, extra: Partial<Channel> = {}): Channel {
  return { id, team_id: 't1', type: 'O', name: id, display_name: id.toUpperCase(), last_post_at: 0, ...extra };
}

function post(id: string, at: number): Post {
  return { id, create_at: at, update_at: at, edit_at: 0, delete_at: 0, user_id: 'u', channel_id: 'c1', root_id: '', message: id, type: '', props: {} };
}

afterEach(() => vi.restoreAllMocks());

describe('data_source options', () => {
  it('are dynamic for users and channels only', () => {
    expect(isDynamicSource('users')).toBe(true);
    expect(isDynamicSource('channels')).toBe(true);
    expect(isDynamicSource('')).toBe(false);
    expect(isDynamicSource(undefined)).toBe(false);
  });

  it('ask the user autocomplete with the typed term, @ removed', async () => {
    const ask = vi.spyOn(Client4, 'autocompleteUsers').mockResolvedValue({ users: [{ id: 'u1', username: 'ann' } as User] });
    expect(await fetchSourceOptions('users', ' @An', 't1')).toEqual([{ value: 'u1', text: 'ann' }]);
    expect(ask).toHaveBeenCalledWith('an', 't1');
  });

  it('list the team’s public channels and the person’s own, once each, filtered and sorted', async () => {
    vi.spyOn(Client4, 'getMyChannels').mockResolvedValue([channel('dev', { type: 'P', display_name: 'Dev' }), channel('town', { display_name: 'Town' }), channel('dm', { type: 'D' })]);
    vi.spyOn(Client4, 'getPublicChannels').mockResolvedValue([channel('town', { display_name: 'Town' }), channel('design', { display_name: 'Design' })]);
    expect(await fetchSourceOptions('channels', '', 't1')).toEqual([
      { value: 'design', text: 'Design' },
      { value: 'dev', text: 'Dev' },
      { value: 'town', text: 'Town' },
    ]);
    expect((await fetchSourceOptions('channels', '~de', 't1')).map((o) => o.value)).toEqual(['design', 'dev']);
  });
});

describe('a window of old posts (a permalink’s)', () => {
  it('does not take new posts until it reaches the newest, then does', () => {
    const store = makeStore();
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('a', 1), post('b', 2)], oldest: true, replace: true, recent: false }));
    store.dispatch(postsActions.receivedPost(post('z', 100)));
    expect(store.getState().entities.posts.postsInChannel.c1[0].order).toEqual(['b', 'a']);
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('c', 3)], oldest: false, recent: true }));
    store.dispatch(postsActions.receivedPost(post('y', 101)));
    expect(store.getState().entities.posts.postsInChannel.c1[0].order).toEqual(['y', 'c', 'b', 'a']);
    // Loading the newest page replaces the window and is recent again.
    store.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('z', 100)], oldest: false, replace: true }));
    expect(store.getState().entities.posts.postsInChannel.c1[0]).toMatchObject({ order: ['z'], recent: true, oldest: false });
  });
});
