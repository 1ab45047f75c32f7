// One channel: header, history (windowed), typing line, composer.

import type { Team } from '../api/types';
import { useAppSelector } from '../store/index';
import { channelLabel } from '../store/selectors';
import { Composer } from './Composer';
import { PostList } from './PostList';
import { TypingLine } from './TypingLine';

export function ChannelView({ channelId, team, highlight }: { channelId: string; team: Team; highlight: string }) {
  const channel = useAppSelector((s) => s.entities.channels.channels[channelId]);
  const label = useAppSelector((s) => (channel ? channelLabel(s, channel) : ''));
  if (!channel) return null;
  const prefix = channel.type === 'O' ? '#' : channel.type === 'P' ? '🔒' : '@';
  return (
    <section className="channel" aria-labelledby="channel-title">
      <header className="channel__header">
        <h2 id="channel-title">
          <span aria-hidden="true">{prefix} </span>
          {label}
        </h2>
        {channel.header && <p className="channel__topic">{channel.header}</p>}
      </header>
      <PostList channelId={channelId} team={team} highlight={highlight} />
      <TypingLine typingKey={channelId} />
      <Composer channelId={channelId} team={team} placeholder={`Write to ${prefix === '@' ? '@' : '~'}${label}`} />
    </section>
  );
}
