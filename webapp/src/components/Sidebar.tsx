// The channel sidebar: public, private and direct channels, unread in bold, mentions as a
// badge; browse and create channels, start a direct message; the user menu.

import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';

import { Client4 } from '../api/client';
import type { Channel, Team } from '../api/types';
import { MainMenuPlug, Pluggable } from '../plugins/Pluggable';
import { usersActions } from '../store/entities';
import { useAppDispatch, useAppSelector } from '../store/index';
import { channelLabel, dmTeammateId, isUnread, sidebarGroups } from '../store/selectors';
import { viewsActions } from '../store/views';
import { BrowseChannels, CreateChannel, DirectMessage } from './ChannelModals';
import { Avatar } from './Avatar';

type Modal = '' | 'browse' | 'create' | 'dm';

export function Sidebar({ team, onSignOut, onNavigate }: { team: Team; onSignOut: () => void; onNavigate: () => void }) {
  const groups = useAppSelector((s) => sidebarGroups(s, team.id));
  const me = useAppSelector((s) => s.entities.users.profiles[s.entities.users.currentUserId]);
  const theme = useAppSelector((s) => s.views.theme);
  const connected = useAppSelector((s) => s.entities.general.connected);
  const dispatch = useAppDispatch();
  const [modal, setModal] = useState<Modal>('');

  return (
    <nav className="sidebar" aria-label="Channels">
      <header className="sidebar__header">
        <h1 className="sidebar__team">{team.display_name}</h1>
        <div className="sidebar__me">
          {me && <Avatar userId={me.id} size={24} />}
          <span>@{me?.username}</span>
          {me && <StatusSelect userId={me.id} />}
          <span className={`conn conn--${connected ? 'on' : 'off'}`} role="status" aria-label={connected ? 'Connected' : 'Reconnecting'} />
        </div>
        <div className="sidebar__tools">
          <button className="btn btn--small" onClick={() => dispatch(viewsActions.setTheme(theme === 'dark' ? 'light' : 'dark'))} aria-label="Switch light or dark theme">
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          <button className="btn btn--small" onClick={() => dispatch(viewsActions.toggleSwitcher(true))} aria-label="Find a channel (Ctrl+K)">
            Find…
          </button>
          <button className="btn btn--small" onClick={onSignOut}>
            Log out
          </button>
          <MainMenuPlug />
        </div>
      </header>
      <Pluggable slot="LeftSidebarHeader" />
      <ChannelGroup title="Channels" channels={groups.publicChannels} team={team} onNavigate={onNavigate}>
        <button className="btn btn--link" onClick={() => setModal('browse')}>
          Browse channels
        </button>
        <button className="btn btn--link" onClick={() => setModal('create')} aria-label="Create a channel">
          + New channel
        </button>
      </ChannelGroup>
      <ChannelGroup title="Private channels" channels={groups.privateChannels} team={team} onNavigate={onNavigate} />
      <ChannelGroup title="Direct messages" channels={groups.directChannels} team={team} onNavigate={onNavigate}>
        <button className="btn btn--link" onClick={() => setModal('dm')} aria-label="Write a direct message">
          + Direct message
        </button>
      </ChannelGroup>
      {modal === 'browse' && <BrowseChannels team={team} onClose={() => setModal('')} />}
      {modal === 'create' && <CreateChannel team={team} onClose={() => setModal('')} />}
      {modal === 'dm' && <DirectMessage team={team} onClose={() => setModal('')} />}
    </nav>
  );
}

const STATUSES = [
  ['online', 'Online'],
  ['away', 'Away'],
  ['dnd', 'Do not disturb'],
  ['offline', 'Offline'],
] as const;

function StatusSelect({ userId }: { userId: string }) {
  const status = useAppSelector((s) => s.entities.users.statuses[userId] ?? 'online');
  const dispatch = useAppDispatch();
  return (
    <select
      className="status-select"
      aria-label="Your status"
      value={status}
      onChange={(e) => {
        const next = e.target.value;
        Client4.updateStatus(userId, next)
          .then((saved) => dispatch(usersActions.receivedStatuses([saved])))
          .catch(() => {});
      }}
    >
      {STATUSES.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </select>
  );
}

function ChannelGroup(props: { title: string; channels: Channel[]; team: Team; onNavigate: () => void; children?: React.ReactNode }) {
  const id = `group-${props.title.replace(/\s+/g, '-').toLowerCase()}`;
  if (props.channels.length === 0 && !props.children) return null;
  return (
    <section className="sidebar__group" aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      <ul>
        {props.channels.map((c) => (
          <ChannelItem key={c.id} channel={c} team={props.team} onNavigate={props.onNavigate} />
        ))}
      </ul>
      {props.children}
    </section>
  );
}

function ChannelItem({ channel, team, onNavigate }: { channel: Channel; team: Team; onNavigate: () => void }) {
  const navigate = useNavigate();
  const label = useAppSelector((s) => channelLabel(s, channel));
  const member = useAppSelector((s) => s.entities.channels.myMembers[channel.id]);
  const countsAvailable = useAppSelector((s) => s.entities.channels.countsAvailable);
  const current = useAppSelector((s) => s.entities.channels.currentChannelId === channel.id);
  const me = useAppSelector((s) => s.entities.users.currentUserId);
  const status = useAppSelector((s) => (channel.type === 'D' ? s.entities.users.statuses[dmTeammateId(channel, me)] : undefined));
  const unread = !current && isUnread(channel, member, countsAvailable);
  const mentions = current ? 0 : (member?.mention_count ?? 0);
  const href = channel.type === 'D' ? `/${team.name}/messages/@${label.replace(/ \(you\)$/, '')}` : `/${team.name}/channels/${channel.name}`;
  const icon = channel.type === 'O' ? '#' : channel.type === 'P' ? '🔒' : '@';
  const described = [unread ? 'unread' : '', mentions ? `${mentions} mention${mentions > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ');
  return (
    <li>
      <Link
        to={href}
        onClick={(e) => {
          e.preventDefault();
          onNavigate();
          navigate(href);
        }}
        className={`sidebar__channel${current ? ' sidebar__channel--current' : ''}${unread ? ' sidebar__channel--unread' : ''}`}
        aria-current={current ? 'page' : undefined}
        aria-label={described ? `${label}, ${described}` : label}
        data-channel={channel.name}
      >
        <span className="sidebar__icon" aria-hidden="true">
          {icon}
        </span>
        {status && <span className={`status status--${status}`} aria-hidden="true" />}
        <span className="sidebar__label">{label}</span>
        {mentions > 0 && (
          <span className="badge" data-testid="mention-badge">
            {mentions}
          </span>
        )}
      </Link>
    </li>
  );
}
