// The route tree and the session: who is signed in, the event stream while they are.

import { useEffect, useRef, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate, useParams } from 'react-router-dom';

import { Client4, getToken, setToken, setUnauthorizedHandler } from '../api/client';
import { EventStream } from '../api/websocket';
import { activePluginLoader } from '../plugins/loader';
import { PluginTeamRoute } from '../plugins/Pluggable';
import { loadMe } from '../store/actions';
import type { AppStore } from '../store/index';
import { useAppDispatch, useAppSelector } from '../store/index';
import { AdminConsole } from './AdminConsole';
import { Login, Signup } from './Auth';
import { Permalink } from './Permalink';
import { SelectTeam } from './SelectTeam';
import { TeamView } from './TeamView';
import { EventStreamContext } from './context';

type SessionState = 'checking' | 'in' | 'out';

export function App({ store }: { store: AppStore }) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const location = useLocation();
  const theme = useAppSelector((s) => s.views.theme);
  const [session, setSession] = useState<SessionState>(getToken() ? 'checking' : 'out');
  const stream = useRef<EventStream | null>(null);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('confab.theme', theme);
  }, [theme]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setToken(null);
      setSession('out');
    });
  }, []);

  useEffect(() => {
    if (session !== 'checking') return;
    dispatch(loadMe())
      .then(() => setSession('in'))
      .catch(() => {
        setToken(null);
        setSession('out');
      });
  }, [session, dispatch]);

  useEffect(() => {
    if (session !== 'in') return;
    const s = new EventStream(store);
    stream.current = s;
    s.connect();
    // The client config (PluginsEnabled) is in the store now: load the webapp plugins.
    void activePluginLoader()?.sync();
    return () => {
      s.close();
      stream.current = null;
    };
  }, [session, store]);

  const signedIn = () => setSession('checking');
  const signOut = async () => {
    await Client4.logout().catch(() => {});
    setToken(null);
    setSession('out');
    navigate('/login');
    window.location.reload();
  };

  if (session === 'checking') return <div className="loading" role="status">Loading…</div>;
  if (session === 'out') {
    return (
      <Routes>
        <Route path="/login" element={<Login onSignedIn={signedIn} />} />
        <Route path="/signup_user_complete" element={<Signup onSignedIn={signedIn} />} />
        <Route path="*" element={<Navigate to={`/login?redirect_to=${encodeURIComponent(location.pathname)}`} replace />} />
      </Routes>
    );
  }
  return (
    <EventStreamContext.Provider value={stream}>
      <Routes>
        <Route path="/login" element={<Navigate to={new URLSearchParams(location.search).get('redirect_to') || '/'} replace />} />
        <Route path="/signup_user_complete" element={<Navigate to="/" replace />} />
        <Route path="/select_team" element={<SelectTeam onSignOut={signOut} />} />
        <Route path="/admin_console/*" element={<AdminConsole />} />
        <Route path="/:team/pl/:postId" element={<Permalink />} />
        <Route path="/:team/messages/:who" element={<TeamView onSignOut={signOut} />} />
        <Route path="/:team/channels/:channel" element={<TeamView onSignOut={signOut} />} />
        <Route path="/:team" element={<TeamView onSignOut={signOut} />} />
        <Route path="/:team/:pluginId/*" element={<PluginPage />} />
        <Route path="*" element={<DefaultTeam />} />
      </Routes>
    </EventStreamContext.Provider>
  );
}

/** `/<team>/<plugin_id>/<route>`: a plugin's page, or the default team when none matches. */
function PluginPage() {
  const { pluginId = '', '*': rest = '' } = useParams();
  return <PluginTeamRoute path={`${pluginId}/${rest}`} fallback={<DefaultTeam />} />;
}

/** `/`: the last team used, else the first, else the team chooser. */
function DefaultTeam() {
  const teams = useAppSelector((s) => s.entities.teams.teams);
  const myMembers = useAppSelector((s) => s.entities.teams.myMembers);
  const mine = Object.values(teams).filter((t) => myMembers[t.id]);
  const last = localStorage.getItem('confab.lastTeam');
  const team = mine.find((t) => t.name === last) ?? mine.sort((a, b) => a.display_name.localeCompare(b.display_name))[0];
  return <Navigate to={team ? `/${team.name}/channels/town-square` : '/select_team'} replace />;
}
