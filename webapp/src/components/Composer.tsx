// Writing a post: Enter sends, Shift+Enter adds a line, Up edits my last post; `/`
// commands with suggestions from the server (arrows to move, Tab or Enter to take one).

import { useContext, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router-dom';

import { ApiError, Client4 } from '../api/client';
import type { Team } from '../api/types';
import { createPost } from '../store/actions';
import { useAppDispatch, useAppSelector, type RootState } from '../store/index';
import { viewsActions } from '../store/views';
import { EventStreamContext } from './context';
import { suggest, type Suggestion } from './suggest';

/** My newest post in a channel (or thread), for Up-to-edit. */
function lastOwnPost(state: RootState, channelId: string, rootId: string): string {
  const me = state.entities.users.currentUserId;
  const ids = rootId ? [...(state.entities.posts.postsInThread[rootId] ?? [])].reverse().concat(rootId) : (state.entities.posts.postsInChannel[channelId]?.[0]?.order ?? []);
  return ids.find((id) => {
    const p = state.entities.posts.posts[id];
    return p && p.user_id === me && !p.type && p.id !== p.pending_post_id;
  }) ?? '';
}

export function Composer({ channelId, team, rootId = '', placeholder }: { channelId: string; team: Team; rootId?: string; placeholder: string }) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const stream = useContext(EventStreamContext);
  const lastOwn = useAppSelector((s) => lastOwnPost(s, channelId, rootId));
  const draftKey = `confab.draft.${channelId}:${rootId}`;
  const [text, setText] = useState(() => sessionStorage.getItem(draftKey) ?? '');
  const [error, setError] = useState('');
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const profiles = useAppSelector((s) => s.entities.users.profiles);
  const knownUsers = () => Object.values(profiles);
  const [selected, setSelected] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  const listId = `suggestions-${rootId ? 'thread' : 'center'}`;

  useEffect(() => {
    sessionStorage.setItem(draftKey, text);
  }, [draftKey, text]);

  // Suggestions for what is being written: a slash command, an @mention, an :emoji:.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      suggest(text, { teamId: team.id, channelId, rootId, knownUsers: knownUsers() })
        .then((found) => {
          if (live) {
            setSuggestions(found);
            setSelected(0);
          }
        })
        .catch(() => live && setSuggestions([]));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // knownUsers is read when the timer fires; it need not restart it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, team.id, channelId, rootId]);

  const take = (s: Suggestion) => {
    setText(s.replacement);
    setSuggestions([]);
    area.current?.focus();
  };

  const send = async () => {
    const message = text.trim();
    if (!message) return;
    setError('');
    setText('');
    setSuggestions([]);
    stream.current?.postSent();
    try {
      if (message.startsWith('/') && !message.startsWith('//')) {
        const answer = await Client4.executeCommand(message, channelId, team.id, rootId);
        if (answer?.goto_location) {
          const url = new URL(answer.goto_location, window.location.origin);
          if (url.origin === window.location.origin) navigate(url.pathname + url.search);
          else window.open(url.href, '_blank', 'noopener');
        }
      } else {
        await dispatch(createPost(channelId, message.startsWith('//') ? message.slice(1) : message, rootId));
      }
    } catch (e) {
      setText(message);
      setError(e instanceof ApiError ? e.message : 'The message could not be sent.');
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setSelected((i) => (i + step + suggestions.length) % suggestions.length);
        return;
      }
      const exact = suggestions[selected] && text.trim() === suggestions[selected].replacement.trim();
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey && !exact)) {
        e.preventDefault();
        take(suggestions[selected]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setSuggestions([]);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void send();
    } else if (e.key === 'ArrowUp' && text === '' && lastOwn) {
      e.preventDefault();
      dispatch(viewsActions.editPost(lastOwn));
    }
  };

  return (
    <div className="composer">
      {suggestions.length > 0 && (
        <ul className="suggestions" id={listId} role="listbox" aria-label={text.startsWith('/') ? 'Command suggestions' : 'Suggestions'}>
          {suggestions.map((s, i) => (
            <li
              key={s.key}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === selected}
              className={i === selected ? 'suggestions__item suggestions__item--selected' : 'suggestions__item'}
              onMouseDown={(e) => {
                e.preventDefault();
                take(s);
              }}
            >
              <strong>{s.primary}</strong> <span className="muted">{s.secondary}</span>
              {s.description && <div className="suggestions__desc">{s.description}</div>}
            </li>
          ))}
        </ul>
      )}
      <textarea
        ref={area}
        className="composer__input"
        aria-label={rootId ? 'Reply to the thread' : placeholder}
        placeholder={rootId ? 'Reply…' : placeholder}
        value={text}
        rows={1}
        role="combobox"
        aria-expanded={suggestions.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={suggestions.length > 0 ? `${listId}-${selected}` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value && !e.target.value.startsWith('/')) stream.current?.userTyping(channelId, rootId);
        }}
        onKeyDown={onKeyDown}
        autoFocus={!rootId}
      />
      <button className="btn btn--primary composer__send" onClick={() => void send()} aria-label="Send">
        Send
      </button>
      {error && (
        <p className="form-error composer__error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
