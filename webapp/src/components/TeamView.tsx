// One team's page: team bar, channel sidebar, the channel, and the thread panel.
// Resolves the route (`/<team>/channels/<name>`, `/<team>/messages/@<user>`) to ids.

import { useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';

import { ApiError, Client4 } from '../api/client';
import { joinIfNeeded, openChannel, openDirectChannel, selectTeam } from '../store/actions';
import { Pluggable, PluginRhs, usePluginRhsOpen } from '../plugins/Pluggable';
import { useAppDispatch, useAppSelector } from '../store/index';
import { viewsActions } from '../store/views';
import { ChannelView } from './ChannelView';
import { DialogModal } from './DialogModal';
import { Sidebar } from './Sidebar';
import { Switcher } from './Switcher';
import { TeamBar } from './TeamBar';
import { ThreadPanel } from './ThreadPanel';

export function TeamView({ onSignOut }: { onSignOut: () => void }) {
  const { team: teamName = '', channel: channelName = 'town-square', who = '' } = useParams();
  const [search] = useSearchParams();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const teams = useAppSelector((s) => s.entities.teams.teams);
  const myTeams = useAppSelector((s) => s.entities.teams.myMembers);
  const currentChannelId = useAppSelector((s) => s.entities.channels.currentChannelId);
  const rhsRootId = useAppSelector((s) => s.views.rhsRootId);
  const switcherOpen = useAppSelector((s) => s.views.switcherOpen);
  const pluginRhs = usePluginRhsOpen();
  const [error, setError] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);
  const team = Object.values(teams).find((t) => t.name === teamName && myTeams[t.id]);

  useEffect(() => {
    if (!team) return;
    localStorage.setItem('confab.lastTeam', team.name);
    let live = true;
    setError('');
    (async () => {
      await dispatch(selectTeam(team.id));
      let channelId: string;
      if (who) {
        const username = who.replace(/^@/, '');
        const [user] = await Client4.getUsersByUsernames([username]);
        if (!user) throw new ApiError(404, 'user', `There is no user @${username}.`);
        channelId = (await dispatch(openDirectChannel(user.id))).id;
      } else {
        const channel = await Client4.getChannelByName(team.id, channelName);
        channelId = channel.id;
        // Opening a public channel by its link joins it, as in Mattermost.
        await dispatch(joinIfNeeded(channel));
      }
      if (live) await dispatch(openChannel(channelId));
      setMenuOpen(false);
    })().catch((e) => live && setError(e instanceof ApiError ? e.message : 'This channel cannot be opened.'));
    return () => {
      live = false;
    };
  }, [team, channelName, who, dispatch]);

  useSwitcherShortcut();

  if (!team) {
    const open = Object.values(teams).length > 0;
    return (
      <main className="loading" role="alert">
        {open ? `You are not a member of the team “${teamName}”.` : 'Loading…'}{' '}
        <button className="btn btn--link" onClick={() => navigate('/select_team')}>
          Choose a team
        </button>
      </main>
    );
  }

  return (
    <div className={`layout${rhsRootId || pluginRhs ? ' layout--rhs' : ''}${menuOpen ? ' layout--menu' : ''}`}>
      <TeamBar currentTeamId={team.id} />
      <Sidebar team={team} onSignOut={onSignOut} onNavigate={() => setMenuOpen(false)} />
      <main className="center" aria-label="Channel">
        <button className="menu-toggle" aria-label="Open the channel list" aria-expanded={menuOpen} onClick={() => setMenuOpen((v) => !v)}>
          ☰
        </button>
        {error ? (
          <p className="center__error" role="alert">
            {error}
          </p>
        ) : (
          currentChannelId && <ChannelView key={currentChannelId} channelId={currentChannelId} team={team} highlight={search.get('highlight') ?? ''} />
        )}
      </main>
      {rhsRootId ? <ThreadPanel key={rhsRootId} rootId={rhsRootId} team={team} /> : <PluginRhs />}
      <div className="plugin-root">
        <Pluggable slot="Root" />
      </div>
      {switcherOpen && <Switcher team={team} />}
      <DialogModal />
    </div>
  );
}

/** Ctrl+K (Cmd+K) opens the channel switcher, as in Mattermost. */
function useSwitcherShortcut() {
  const dispatch = useAppDispatch();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        dispatch(viewsActions.toggleSwitcher(true));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispatch]);
}
