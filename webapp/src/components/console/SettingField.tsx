// One field of a plugin's settings form, drawn from its `settings_schema` entry with
// Mattermost's setting types; `custom` draws the component the plugin's web code
// registered with `registerAdminConsoleCustomSetting`, with Mattermost's props.

import { useId, useState } from 'react';

import type { PluginSetting } from '../../api/admin';
import { Client4 } from '../../api/client';
import type { User } from '../../api/types';
import { renderMarkdown } from '../../markdown/render';
import { useAdminConsoleCustomSetting } from '../../plugins/admin_settings';

/** What a custom setting component asks to run when the form is saved (Mattermost's
 *  `registerSaveAction`). */
export type SaveAction = () => Promise<{ error?: { message: string } }>;

export interface FieldProps {
  pluginId: string;
  /** The form's save actions, which custom components add to and remove from. */
  saveActions: Set<SaveAction>;
  setting: PluginSetting;
  value: unknown;
  error?: string;
  onChange: (value: unknown) => void;
}

/** A random value for `generated` settings (32 characters, as Mattermost makes them). */
export function generateValue(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export function SettingField(props: FieldProps) {
  const { setting, error } = props;
  const id = useId();
  const label = setting.display_name || setting.key;
  const help = setting.help_text ? <div id={`${id}-help`} className="setting__help markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(setting.help_text) }} /> : null;
  const describedBy = [setting.help_text && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const grouped = setting.type === 'radio' || setting.type === 'bool';
  const body = <Control {...props} id={id} label={label} describedBy={describedBy} />;
  return (
    <div className={`setting${error ? ' setting--invalid' : ''}`} data-setting={setting.key}>
      {grouped || setting.type === 'custom' ? body : (
        <label htmlFor={id} className="setting__label">
          {label}
        </label>
      )}
      {!grouped && setting.type !== 'custom' && body}
      {help}
      {error && (
        <p id={`${id}-error`} className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A number when the text is one, else the text itself; empty is null. */
export function asNumber(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : text;
}

type ControlProps = FieldProps & { id: string; label: string; describedBy?: string };

function Control(props: ControlProps) {
  const { setting, value, onChange, id, label, describedBy } = props;
  const text = value === null || value === undefined ? '' : String(value);
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': props.error ? true : undefined, placeholder: setting.placeholder };
  switch (setting.type) {
    case 'bool':
      return (
        <label className="checkbox setting__label">
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} aria-describedby={describedBy} />
          {label}
        </label>
      );
    case 'longtext':
      return <textarea {...common} rows={4} value={text} onChange={(e) => onChange(e.target.value)} />;
    case 'number':
      // Typed as text: what is not a number goes to the server as typed, and its
      // refusal shows beside the field (the server is the one that validates).
      return <input {...common} type="text" inputMode="decimal" value={text} onChange={(e) => onChange(asNumber(e.target.value))} />;
    case 'dropdown':
      return (
        <select {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          {!setting.options?.some((o) => o.value === text) && <option value={text}>{text ? text : '(choose)'}</option>}
          {setting.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.display_name}
            </option>
          ))}
        </select>
      );
    case 'radio':
      return (
        <fieldset className="setting__radios" aria-describedby={describedBy}>
          <legend className="setting__label">{label}</legend>
          {setting.options?.map((o) => (
            <label key={o.value} className="checkbox">
              <input type="radio" name={id} value={o.value} checked={text === o.value} onChange={() => onChange(o.value)} />
              {o.display_name}
            </label>
          ))}
        </fieldset>
      );
    case 'username':
      return <UsernameInput common={common} value={text} onChange={onChange} />;
    case 'generated':
      return (
        <div className="setting__generated">
          <input {...common} readOnly value={text} />
          <button type="button" className="btn btn--small" onClick={() => onChange(generateValue())} aria-label={`Regenerate ${label}`}>
            Regenerate
          </button>
          {setting.regenerate_help_text && <p className="muted">{setting.regenerate_help_text}</p>}
        </div>
      );
    case 'custom':
      return <CustomSetting {...props} label={label} />;
    default:
      return <input {...common} type="text" value={text} onChange={(e) => onChange(e.target.value)} />;
  }
}

/** A username, with matching users suggested as the admin types. */
function UsernameInput({ common, value, onChange }: { common: { id: string; placeholder?: string; 'aria-describedby'?: string }; value: string; onChange: (v: unknown) => void }) {
  const [users, setUsers] = useState<User[]>([]);
  const listId = `${common.id}-users`;
  const typed = (v: string) => {
    onChange(v);
    const name = v.replace(/^@/, '');
    if (name) {
      Client4.autocompleteUsers(name, '')
        .then((r) => setUsers(r.users.slice(0, 10)))
        .catch(() => setUsers([]));
    }
  };
  return (
    <>
      <input {...common} type="text" list={listId} value={value} autoComplete="off" onChange={(e) => typed(e.target.value)} />
      <datalist id={listId}>
        {users.map((u) => (
          <option key={u.id} value={u.username} />
        ))}
      </datalist>
    </>
  );
}

function CustomSetting({ pluginId, setting, value, onChange, label, saveActions }: FieldProps & { label: string }) {
  const found = useAdminConsoleCustomSetting(pluginId, setting.key);
  if (!found) {
    return (
      <div>
        <span className="setting__label">{label}</span>
        <p className="muted">This setting is drawn by the plugin’s web code, which is not loaded (the plugin is not running, or it registered no component for “{setting.key}”).</p>
      </div>
    );
  }
  const Component = found.component;
  // Mattermost's CustomSettingProps: the value it reports through `onChange` is saved
  // with the form, and the actions it registers run after a successful save.
  return (
    <div className="setting__custom">
      {found.options.showTitle && <span className="setting__label">{label}</span>}
      <Component
        id={setting.key}
        label={label}
        helpText={setting.help_text ?? ''}
        value={value}
        disabled={false}
        config={{}}
        license={{}}
        setByEnv={false}
        onChange={(_id: string, v: unknown) => onChange(v)}
        registerSaveAction={(action: SaveAction) => saveActions.add(action)}
        unRegisterSaveAction={(action: SaveAction) => saveActions.delete(action)}
        setSaveNeeded={() => {}}
        cancelSubmit={() => {}}
        showConfirm={false}
      />
    </div>
  );
}
