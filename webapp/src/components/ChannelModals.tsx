// Browse and join public channels, create a channel, start a direct message.

import { useEffect, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';

import { ApiError, Client4, isNotFound } from '../api/client';
import type { Channel, Team, User } from '../api/types';
import { joinChannel } from '../store/actions';
import { channelsActions } from '../store/entities';
import { useAppDispatch, useAppSelector } from '../store/index';
import { Modal } from './Modal';

function errorText(e: unknown): string {
  return e instanceof ApiError ? e.message : 'Something went wrong.';
}

export function BrowseChannels({ team, onClose }: { team: Team; onClose: () => void }) {
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState('');
  const myMembers = useAppSelector((s) => s.entities.channels.myMembers);
  const dispatch = useAppDispatch();
  const navigate = useNavigate();

  useEffect(() => {
    Client4.getPublicChannels(team.id)
      .then(setChannels)
      .catch((e) => setError(errorText(e)));
  }, [team.id]);

  const open = async (c: Channel) => {
    try {
      if (!myMembers[c.id]) await dispatch(joinChannel(c));
      onClose();
      navigate(`/${team.name}/channels/${c.name}`);
    } catch (e) {
      setError(errorText(e));
    }
  };

  const shown = (channels ?? []).filter((c) => `${c.display_name} ${c.name}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <Modal title="Browse channels" onClose={onClose}>
      <input aria-label="Search channels" placeholder="Search channels" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <ul className="plain-list browse-list">
        {shown.map((c) => (
          <li key={c.id}>
            <div>
              <strong>{c.display_name}</strong>
              {c.purpose && <p className="muted">{c.purpose}</p>}
            </div>
            <button className="btn" onClick={() => open(c)} aria-label={`${myMembers[c.id] ? 'View' : 'Join'} ${c.display_name}`}>
              {myMembers[c.id] ? 'View' : 'Join'}
            </button>
          </li>
        ))}
        {channels && shown.length === 0 && <li className="muted">No channels found.</li>}
      </ul>
    </Modal>
  );
}

export function CreateChannel({ team, onClose }: { team: Team; onClose: () => void }) {
  const [name, setName] = useState('');
  const [purpose, setPurpose] = useState('');
  const [isPrivate, setPrivate] = useState(false);
  const [error, setError] = useState('');
  const dispatch = useAppDispatch();
  const navigate = useNavigate();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const slug = name
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '');
    try {
      const c = await Client4.createChannel({ team_id: team.id, name: slug, display_name: name.trim(), type: isPrivate ? 'P' : 'O', purpose });
      dispatch(channelsActions.receivedChannels([c]));
      const me = await Client4.getChannelMember(c.id, 'me').catch(() => null);
      if (me) dispatch(channelsActions.receivedMyChannelMembers({ members: [me], counts: false }));
      onClose();
      navigate(`/${team.name}/channels/${c.name}`);
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <Modal title="Create a channel" onClose={onClose}>
      <form onSubmit={submit} className="stack-form">
        <label>
          Name
          <input name="channel_name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        </label>
        <label>
          Purpose (optional)
          <input name="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value)} maxLength={250} />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.target.checked)} />
          Private channel
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn--primary">
          Create channel
        </button>
      </form>
    </Modal>
  );
}

export function DirectMessage({ team, onClose }: { team: Team; onClose: () => void }) {
  const [term, setTerm] = useState('');
  const [people, setPeople] = useState<User[]>([]);
  const me = useAppSelector((s) => s.entities.users.currentUserId);
  const navigate = useNavigate();

  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      let found: User[];
      try {
        found = (await Client4.autocompleteUsers(term, team.id)).users;
      } catch (e) {
        if (!isNotFound(e)) return;
        // No autocomplete route on this server: the team's members, filtered here.
        const members = await Client4.getTeamMembers(team.id);
        const users = await Client4.getUsersByIds(members.map((m) => m.user_id));
        found = users.filter((u) => u.username.includes(term.toLowerCase()));
      }
      if (live) setPeople(found.filter((u) => !u.delete_at));
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [term, team.id]);

  return (
    <Modal title="Direct message" onClose={onClose}>
      <input aria-label="Search people" placeholder="Search by username" value={term} onChange={(e) => setTerm(e.target.value)} />
      <ul className="plain-list browse-list">
        {people.map((u) => (
          <li key={u.id}>
            <span>
              @{u.username}
              {u.id === me ? ' (you)' : ''}
            </span>
            <button
              className="btn"
              aria-label={`Message @${u.username}`}
              onClick={() => {
                onClose();
                navigate(`/${team.name}/messages/@${u.username}`);
              }}
            >
              Message
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}
