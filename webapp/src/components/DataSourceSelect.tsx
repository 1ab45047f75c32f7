// A select whose options come from the server as the person types: Mattermost's
// `data_source: "users"` (user autocomplete in the team) and `"channels"` (the team's
// channels the person can see: theirs and the public ones), for dialog elements and
// message-attachment menus. A combobox with a listbox (WAI-ARIA), keyboard first.

import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

import { Client4 } from '../api/client';

export interface SourceOption {
  text: string;
  value: string;
}

/** At most this many options are listed. */
const LIMIT = 20;

/** Whether a dialog element or action takes its options from the server. */
export function isDynamicSource(source: string | undefined): source is 'users' | 'channels' {
  return source === 'users' || source === 'channels';
}

/** The options for `term` from `source`, for a person in `teamId`. */
export async function fetchSourceOptions(source: 'users' | 'channels', term: string, teamId: string): Promise<SourceOption[]> {
  const wanted = term.trim().toLowerCase().replace(/^[@~]/, '');
  if (source === 'users') {
    const found = await Client4.autocompleteUsers(wanted, teamId);
    return found.users.slice(0, LIMIT).map((u) => ({ value: u.id, text: u.username }));
  }
  // The team's public channels and the person's own (private ones too), without
  // duplicates, those whose name or display name contains the term.
  const [mine, open] = await Promise.all([Client4.getMyChannels(teamId), Client4.getPublicChannels(teamId).catch(() => [])]);
  const seen = new Set<string>();
  const options: SourceOption[] = [];
  for (const c of [...mine, ...open]) {
    if (seen.has(c.id) || (c.type !== 'O' && c.type !== 'P') || c.delete_at) continue;
    seen.add(c.id);
    if (wanted && !c.name.toLowerCase().includes(wanted) && !c.display_name.toLowerCase().includes(wanted)) continue;
    options.push({ value: c.id, text: c.display_name || c.name });
  }
  options.sort((a, b) => a.text.localeCompare(b.text));
  return options.slice(0, LIMIT);
}

interface Props {
  source: 'users' | 'channels';
  teamId: string;
  /** The chosen option's value ('' for none). */
  value: string;
  onChange: (value: string) => void;
  label: string;
  id?: string;
  placeholder?: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
}

export function DataSourceSelect({ source, teamId, value, onChange, label, id, placeholder, disabled, invalid, describedBy }: Props) {
  const listId = useId();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<SourceOption[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [error, setError] = useState('');
  const request = useRef(0);

  // Ask the server for each change of the text (or on opening); a slower earlier answer never replaces a later one.
  useEffect(() => {
    if (!open) return;
    const mine = ++request.current;
    const timer = setTimeout(() => {
      fetchSourceOptions(source, text, teamId)
        .then((found) => {
          if (mine !== request.current) return;
          setOptions(found);
          setActive(0);
          setError('');
        })
        .catch(() => mine === request.current && setError('The options could not be loaded.'));
    }, 120);
    return () => clearTimeout(timer);
  }, [open, text, source, teamId]);

  const choose = (option: SourceOption) => {
    setText(option.text);
    setOpen(false);
    onChange(option.value);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setOpen(true);
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => (options.length ? (i + step + options.length) % options.length : 0));
    } else if (e.key === 'Enter' && open && options[active]) {
      e.preventDefault();
      choose(options[active]);
    } else if (e.key === 'Escape' && open) {
      // Close the list, not the dialog around it.
      e.stopPropagation();
      setOpen(false);
    }
  };

  return (
    <div className="source-select">
      <input
        id={id}
        type="text"
        role="combobox"
        aria-label={label}
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && options[active] ? `${listId}-${active}` : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        autoComplete="off"
        placeholder={placeholder || (source === 'users' ? 'Find a person…' : 'Find a channel…')}
        disabled={disabled}
        value={text}
        data-value={value}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          if (value) onChange('');
        }}
        onKeyDown={onKeyDown}
      />
      {open && (
        <ul id={listId} role="listbox" aria-label={label} className="source-select__list">
          {options.map((o, i) => (
            <li
              key={o.value}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'source-select__option--active' : undefined}
              onMouseDown={(e) => {
                // Before the input's blur closes the list.
                e.preventDefault();
                choose(o);
              }}
            >
              {source === 'users' ? `@${o.text}` : o.text}
            </li>
          ))}
          {options.length === 0 && (
            <li role="option" aria-selected={false} aria-disabled="true" className="muted">
              {error || 'No matches'}
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
