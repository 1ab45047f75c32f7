import { describe, expect, it } from 'vitest';

import type { Channel, ChannelMember, Post } from '../../src/api/types';
import { dayKey, dayLabel } from '../../src/components/PostItem';
import { firstNewPost } from '../../src/components/PostList';
import { openChannel } from '../../src/store/actions';
import { channelsActions, postsActions, usersActions } from '../../src/store/entities';
import { makeStore } from '../../src/store/index';
import { viewsActions } from '../../src/store/views';
import { themeFromPreferences, themeObject, themeOfValue, themePreference } from '../../src/store/theme';

function post(id: string, at: number, userId = 'other'): Post {
  return { id, create_at: at, update_at: at, edit_at: 0, delete_at: 0, user_id: userId, channel_id: 'c1', root_id: '', message: id, type: '', props: {} };
}

describe('the theme preference', () => {
  it('saves a Mattermost theme object that reads back as the same theme', () => {
    for (const theme of ['light', 'dark'] as const) {
      const pref = themePreference('me', theme);
      expect(pref).toMatchObject({ user_id: 'me', category: 'theme', name: '' });
      expect(JSON.parse(pref.value).centerChannelBg).toMatch(/^#[0-9a-f]{6}$/);
      expect(themeOfValue(pref.value)).toBe(theme);
    }
    expect(themeObject('dark').type).toBe('Onyx');
  });

  it('reads themes other Mattermost clients saved, and ignores what is not one', () => {
    expect(themeOfValue(JSON.stringify({ type: 'Indigo' }))).toBe('dark');
    expect(themeOfValue(JSON.stringify({ type: 'Sapphire' }))).toBe('light');
    expect(themeOfValue(JSON.stringify({ type: 'custom', centerChannelBg: '#0a0a0a' }))).toBe('dark');
    expect(themeOfValue(JSON.stringify({ type: 'Onyx', centerChannelBg: '#fff' }))).toBe('light');
    for (const junk of [undefined, '', 'not json', '42', 'null', '{}', JSON.stringify({ centerChannelBg: 'blue' })]) {
      expect(themeOfValue(junk)).toBeNull();
    }
  });

  it('lets a team’s own theme override the one for all teams', () => {
    const all = { ...themePreference('me', 'light') };
    const team = { ...themePreference('me', 'dark'), name: 't1' };
    const prefs = { 'theme--': all, 'theme--t1': team };
    expect(themeFromPreferences(prefs, 't1')).toBe('dark');
    expect(themeFromPreferences(prefs, 't2')).toBe('light');
    expect(themeFromPreferences({}, 't1')).toBeNull();
  });
});

describe('date separators', () => {
  it('split days in the viewer’s zone', () => {
    const late = Date.UTC(2024, 0, 15, 23, 30);
    expect(dayKey(late, 'UTC')).toBe('2024-01-15');
    expect(dayKey(late, 'Asia/Tokyo')).toBe('2024-01-16');
  });

  it('say Today, Yesterday, else the date (with the year when it is another)', () => {
    const now = Date.UTC(2024, 5, 12, 12);
    expect(dayLabel(now - 3600_000, 'UTC', now)).toBe('Today');
    expect(dayLabel(now - 24 * 3600_000, 'UTC', now)).toBe('Yesterday');
    expect(dayLabel(Date.UTC(2024, 1, 3, 12), 'UTC', now)).toBe('Sat, Feb 03');
    expect(dayLabel(Date.UTC(2023, 1, 3, 12), 'UTC', now)).toBe('Fri, Feb 03, 2023');
  });
});

describe('the new messages line', () => {
  function store() {
    const s = makeStore();
    s.dispatch(usersActions.receivedMe({ id: 'me', username: 'me' } as never));
    s.dispatch(postsActions.receivedPostsInChannel({ channelId: 'c1', posts: [post('a', 10), post('b', 20, 'me'), post('c', 30), post('d', 40)], oldest: true }));
    return s;
  }

  it('goes above the oldest post by someone else since the last view', () => {
    const s = store();
    const order = s.getState().entities.posts.postsInChannel.c1[0].order;
    const at = (since: number) => {
      s.dispatch(viewsActions.newMessagesSince({ channelId: 'c1', since }));
      return firstNewPost(s.getState(), 'c1', order);
    };
    expect(at(15)).toBe('c'); // b is the viewer's own
    expect(at(5)).toBe('a');
    expect(at(40)).toBe('');
    expect(at(0)).toBe('');
  });

  it('is placed when an unread channel is opened, from the view before opening it', async () => {
    const s = store();
    const channel: Channel = { id: 'c1', team_id: 't1', type: 'O', name: 'c1', display_name: 'C1', last_post_at: 40, total_msg_count: 4 };
    const member: ChannelMember = { channel_id: 'c1', user_id: 'me', last_viewed_at: 25, msg_count: 2, mention_count: 0 };
    s.dispatch(channelsActions.receivedChannels([channel]));
    s.dispatch(channelsActions.receivedMyChannelMembers({ members: [member], counts: true }));
    await s.dispatch(openChannel('c1')).catch(() => {});
    expect(s.getState().views.newSince.c1).toBe(25);
  });
});
