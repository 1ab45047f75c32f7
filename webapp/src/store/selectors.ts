// Derived data: sidebar groups, unread and mention marks, display names.

import type { Channel, ChannelMember, User } from '../api/types';
import type { RootState } from './index';

export function displayName(user: User | undefined): string {
  if (!user) return 'Someone';
  return user.username;
}

/** A DM channel's name is `<id>__<id>`; the other person is the id that is not mine. */
export function dmTeammateId(channel: Channel, me: string): string {
  const [a, b] = channel.name.split('__');
  return a === me ? b : a;
}

export function channelLabel(state: RootState, channel: Channel): string {
  if (channel.type === 'D') {
    const me = state.entities.users.currentUserId;
    const other = dmTeammateId(channel, me);
    const user = state.entities.users.profiles[other];
    return user ? user.username + (other === me ? ' (you)' : '') : channel.display_name || 'Direct message';
  }
  return channel.display_name || channel.name;
}

/** Unread: the channel has posts the member has not seen (Mattermost: total_msg_count > msg_count). */
export function isUnread(channel: Channel, member: ChannelMember | undefined, countsAvailable: boolean): boolean {
  if (!member) return false;
  if (countsAvailable && channel.total_msg_count !== undefined) {
    return channel.total_msg_count - member.msg_count > 0 && channel.last_post_at > member.last_viewed_at;
  }
  return channel.last_post_at > member.last_viewed_at;
}

export interface SidebarGroups {
  publicChannels: Channel[];
  privateChannels: Channel[];
  directChannels: Channel[];
}

export function sidebarGroups(state: RootState, teamId: string): SidebarGroups {
  const { channels, channelsInTeam, myMembers } = state.entities.channels;
  const mine = (ids: string[] | undefined) => (ids ?? []).map((id) => channels[id]).filter((c) => c && myMembers[c.id] && !c.delete_at);
  const inTeam = mine(channelsInTeam[teamId]);
  const byName = (a: Channel, b: Channel) => channelLabel(state, a).localeCompare(channelLabel(state, b));
  return {
    publicChannels: inTeam.filter((c) => c.type === 'O').sort(byName),
    privateChannels: inTeam.filter((c) => c.type === 'P').sort(byName),
    directChannels: mine(channelsInTeam['']).concat(inTeam.filter((c) => c.type === 'D' || c.type === 'G')).sort(byName),
  };
}

/** Whether a message mentions the user: @username, @channel, @all or @here. */
export function mentionsUser(message: string, username: string): boolean {
  const re = /(?:^|[^\w@.-])@([a-z0-9.\-_]+)/gi;
  for (const m of message.matchAll(re)) {
    const name = m[1].toLowerCase().replace(/[.\-_]+$/, '');
    if (name === username.toLowerCase() || name === 'channel' || name === 'all' || name === 'here') return true;
  }
  return false;
}
