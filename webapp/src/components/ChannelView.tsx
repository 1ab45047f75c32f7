// One channel: header, history (windowed), typing line, composer.

import { useEffect, useState } from 'react';

import { Client4 } from '../api/client';
import type { Team } from '../api/types';
import { ChannelHeaderPlug } from '../plugins/Pluggable';
import { useAppSelector } from '../store/index';
import { channelLabel } from '../store/selectors';
import { Composer } from './Composer';
import { PostList } from './PostList';
import { TypingLine } from './TypingLine';

export function ChannelView({ channelId, team, highlight }: { channelId: string; team: Team; highlight: string }) {
  const channel = useAppSelector((s) => s.entities.channels.channels[channelId]);
  const label = useAppSelector((s) => (channel ? channelLabel(s, channel) : ''));
  const members = useMemberCount(channelId);
  const member = useAppSelector((s) => s.entities.channels.myMembers[channelId]);
  if (!channel) return null;
  const prefix = channel.type === 'O' ? '#' : channel.type === 'P' ? '🔒' : '@';
  return (
    <section className="channel" aria-labelledby="channel-title">
      <header className="channel__header">
        <h2 id="channel-title">
          <span aria-hidden="true">{prefix} </span>
          {label}
        </h2>
        {members !== null && channel.type !== 'D' && (
          <span className="muted" aria-label={`${members} members`}>
            👤 {members}
          </span>
        )}
        <ChannelHeaderPlug channel={channel} member={member} />
        {channel.header && <p className="channel__topic">{channel.header}</p>}
      </header>
      <PostList channelId={channelId} team={team} highlight={highlight} />
      <TypingLine typingKey={channelId} />
      <Composer channelId={channelId} team={team} placeholder={`Write to ${prefix === '@' ? '@' : '~'}${label}`} />
    </section>
  );
}

/** The channel's member count (`/channels/{id}/stats`), or null when the server has none. */
function useMemberCount(channelId: string): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    Client4.getChannelStats(channelId)
      .then((s) => live && setCount(s.member_count))
      .catch(() => live && setCount(null));
    return () => {
      live = false;
    };
  }, [channelId]);
  return count;
}
