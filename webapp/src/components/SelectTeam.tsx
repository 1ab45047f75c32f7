// `/select_team`: join an open team or create one.

import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';

import { ApiError, Client4 } from '../api/client';
import type { Team } from '../api/types';
import { loadMe } from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/index';

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

export function SelectTeam({ onSignOut }: { onSignOut: () => void }) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const me = useAppSelector((s) => s.entities.users.currentUserId);
  const myMembers = useAppSelector((s) => s.entities.teams.myMembers);
  const [open, setOpen] = useState<Team[]>([]);
  const [name, setName] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    Client4.getTeams()
      .then((teams) => setOpen(teams.filter((t) => t.allow_open_invite || t.type === 'O')))
      .catch(() => setOpen([]));
  }, []);

  const go = async (team: Team) => {
    await dispatch(loadMe());
    navigate(`/${team.name}/channels/town-square`);
  };

  const join = async (team: Team) => {
    setError('');
    try {
      await Client4.addToTeam(team.id, me);
      await go(team);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not join the team.');
    }
  };

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const team = await Client4.createTeam(slug(name), name.trim());
      await go(team);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not create the team.');
    }
  };

  const joinable = open.filter((t) => !myMembers[t.id]);
  return (
    <main className="auth">
      <section className="auth__card" aria-labelledby="teams-title">
        <h1 id="teams-title">Teams</h1>
        <JoinableTeams teams={joinable} onJoin={join} />
        <h2>Create a team</h2>
        <form onSubmit={create} className="inline-form">
          <label>
            Team name
            <input name="team_name" value={name} onChange={(e) => setName(e.target.value)} required minLength={2} maxLength={64} />
          </label>
          <button type="submit" className="btn btn--primary">
            Create team
          </button>
        </form>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="btn btn--link" onClick={onSignOut}>
          Log out
        </button>
      </section>
    </main>
  );
}

function JoinableTeams({ teams, onJoin }: { teams: Team[]; onJoin: (t: Team) => void }) {
  if (teams.length === 0) return null;
  return (
    <>
      <h2>Teams you can join</h2>
      <ul className="plain-list">
        {teams.map((t) => (
          <li key={t.id}>
            <button className="btn" onClick={() => onJoin(t)} aria-label={`Join ${t.display_name}`}>
              {t.display_name}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
