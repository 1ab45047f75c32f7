// Writing a post: Enter sends, Shift+Enter adds a line, Up edits my last post; `/`
// commands with suggestions from the server (arrows to move, Tab or Enter to take one).

import { useContext, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router-dom';

import { ApiError, Client4 } from '../api/client';
import type { Team } from '../api/types';
import { runMessageWillBePostedHooks, runSlashCommandWillBePostedHooks, PluginHookRejection } from '../plugins/hooks';
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
  const [text, setText] = useDraft(`confab.draft.${channelId}:${rootId}`);
  const [error, setError] = useState('');
  const { suggestions, setSuggestions, selected, setSelected } = useSuggestions(text, team.id, channelId, rootId);
  const area = useRef<HTMLTextAreaElement>(null);
  const listId = `suggestions-${rootId ? 'thread' : 'center'}`;

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
        const command = await runSlashCommandWillBePostedHooks(message, { channel_id: channelId, team_id: team.id, root_id: rootId });
        if (command) await runCommand(command.message, command.args.channel_id, command.args.team_id, command.args.root_id, navigate);
      } else {
        const draft = { channel_id: channelId, root_id: rootId, message: message.startsWith('//') ? message.slice(1) : message, type: '', props: {} };
        const post = await runMessageWillBePostedHooks(draft);
        await dispatch(createPost(post.channel_id, post.message, post.root_id, { type: post.type, props: post.props }));
      }
    } catch (e) {
      setText(message);
      setError(e instanceof ApiError || e instanceof PluginHookRejection ? e.message : 'The message could not be sent.');
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (suggestionKey(e, { suggestions, selected, setSelected, text, take, close: () => setSuggestions([]) })) return;
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
      {suggestions.length > 0 && <SuggestionList id={listId} label={text.startsWith('/') ? 'Command suggestions' : 'Suggestions'} items={suggestions} selected={selected} onTake={take} />}
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

/** Suggestions for what is being written (a slash command, an @mention, an :emoji:), and which one is selected. */
function useSuggestions(text: string, teamId: string, channelId: string, rootId: string) {
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [selected, setSelected] = useState(0);
  const profiles = useAppSelector((s) => s.entities.users.profiles);
  const known = useRef(profiles);
  known.current = profiles;
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      suggest(text, { teamId, channelId, rootId, knownUsers: Object.values(known.current) })
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
  }, [text, teamId, channelId, rootId]);
  return { suggestions, setSuggestions, selected, setSelected };
}

function SuggestionList({ id, label, items, selected, onTake }: { id: string; label: string; items: Suggestion[]; selected: number; onTake: (s: Suggestion) => void }) {
  return (
    <ul className="suggestions" id={id} role="listbox" aria-label={label}>
      {items.map((s, i) => (
        <li
          key={s.key}
          id={`${id}-${i}`}
          role="option"
          aria-selected={i === selected}
          className={i === selected ? 'suggestions__item suggestions__item--selected' : 'suggestions__item'}
          onMouseDown={(e) => {
            e.preventDefault();
            onTake(s);
          }}
        >
          <strong>{s.primary}</strong> <span className="muted">{s.secondary}</span>
          {s.description && <div className="suggestions__desc">{s.description}</div>}
        </li>
      ))}
    </ul>
  );
}

interface SuggestionKeys {
  suggestions: Suggestion[];
  selected: number;
  setSelected: (f: (i: number) => number) => void;
  text: string;
  take: (s: Suggestion) => void;
  close: () => void;
}

/** Arrows move through the suggestions, Tab or Enter takes one, Esc closes them; true when the key was theirs. */
function suggestionKey(e: KeyboardEvent<HTMLTextAreaElement>, { suggestions, selected, setSelected, text, take, close }: SuggestionKeys): boolean {
  if (suggestions.length === 0) return false;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    const step = e.key === 'ArrowDown' ? 1 : -1;
    setSelected((i) => (i + step + suggestions.length) % suggestions.length);
    return true;
  }
  const exact = suggestions[selected] && text.trim() === suggestions[selected].replacement.trim();
  if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey && !exact)) {
    e.preventDefault();
    take(suggestions[selected]);
    return true;
  }
  if (e.key === 'Escape') {
    e.preventDefault();
    close();
    return true;
  }
  return false;
}

/** Run a slash command; follow its `goto_location` (in the app when it is this site). */
async function runCommand(command: string, channelId: string, teamId: string, rootId: string, navigate: (to: string) => void) {
  const answer = await Client4.executeCommand(command, channelId, teamId, rootId);
  if (answer?.goto_location) {
    const url = new URL(answer.goto_location, window.location.origin);
    if (url.origin === window.location.origin) navigate(url.pathname + url.search);
    else window.open(url.href, '_blank', 'noopener');
  }
}

/** The text being written, kept per channel and thread for the tab's life. */
function useDraft(key: string): [string, (t: string) => void] {
  const [text, setText] = useState(() => sessionStorage.getItem(key) ?? '');
  useEffect(() => {
    sessionStorage.setItem(key, text);
  }, [key, text]);
  return [text, setText];
}
