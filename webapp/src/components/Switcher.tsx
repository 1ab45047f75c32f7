// Ctrl+K: find a channel or direct message by name and jump to it.

import { useState } from 'react';
import { useNavigate } from 'react-router-dom';

import type { Team } from '../api/types';
import { useAppDispatch, useAppSelector } from '../store/index';
import { channelLabel, sidebarGroups } from '../store/selectors';
import { viewsActions } from '../store/views';
import { Modal } from './Modal';

export function Switcher({ team }: { team: Team }) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const [term, setTerm] = useState('');
  const [selected, setSelected] = useState(0);
  const entries = useAppSelector((s) => {
    const g = sidebarGroups(s, team.id);
    return [...g.publicChannels, ...g.privateChannels, ...g.directChannels].map((c) => ({ channel: c, label: channelLabel(s, c) }));
  });
  const shown = entries.filter((e) => e.label.toLowerCase().includes(term.toLowerCase()) || e.channel.name.includes(term.toLowerCase())).slice(0, 20);
  const close = () => dispatch(viewsActions.toggleSwitcher(false));
  const go = (i: number) => {
    const e = shown[i];
    if (!e) return;
    close();
    navigate(e.channel.type === 'D' ? `/${team.name}/messages/@${e.label.replace(/ \(you\)$/, '')}` : `/${team.name}/channels/${e.channel.name}`);
  };
  return (
    <Modal title="Switch channels" onClose={close}>
      <input
        aria-label="Channel name"
        placeholder="Type a channel or person"
        value={term}
        role="combobox"
        aria-expanded="true"
        aria-controls="switcher-list"
        aria-activedescendant={shown.length ? `switcher-${selected}` : undefined}
        onChange={(e) => {
          setTerm(e.target.value);
          setSelected(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setSelected((i) => Math.min(i + 1, shown.length - 1));
          else if (e.key === 'ArrowUp') setSelected((i) => Math.max(i - 1, 0));
          else if (e.key === 'Enter') go(selected);
          else return;
          e.preventDefault();
        }}
      />
      <ul id="switcher-list" role="listbox" className="plain-list switcher-list" aria-label="Channels">
        {shown.map((e, i) => (
          <li
            key={e.channel.id}
            id={`switcher-${i}`}
            role="option"
            aria-selected={i === selected}
            className={i === selected ? 'suggestions__item suggestions__item--selected' : 'suggestions__item'}
            onMouseDown={(ev) => {
              ev.preventDefault();
              go(i);
            }}
          >
            {e.channel.type === 'O' ? '# ' : e.channel.type === 'P' ? '🔒 ' : '@ '}
            {e.label}
          </li>
        ))}
      </ul>
    </Modal>
  );
}
