// Interactive dialogs: `open_dialog` opens this modal with the integration's elements
// (text and its subtypes, textarea, select, bool, radio); submit posts to
// `/actions/dialogs/submit` and shows the field errors and general error it answers.

import { useState, type FormEvent } from 'react';

import { ApiError, Client4 } from '../api/client';
import type { DialogElement } from '../api/types';
import { renderMarkdown } from '../markdown/render';
import { useAppDispatch, useAppSelector } from '../store/index';
import { DataSourceSelect, isDynamicSource } from './DataSourceSelect';
import { viewsActions } from '../store/views';
import { Modal } from './Modal';

type Values = Record<string, string | boolean>;

function initialValues(elements: DialogElement[]): Values {
  const values: Values = {};
  for (const el of elements) values[el.name] = el.type === 'bool' ? el.default === 'true' : (el.default ?? '');
  return values;
}

/** What the server receives: numbers for `number` fields, booleans for `bool`. */
function submission(elements: DialogElement[], values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of elements) {
    const v = values[el.name];
    if (el.type === 'bool') out[el.name] = Boolean(v);
    else if (el.type === 'text' && el.subtype === 'number' && v !== '') out[el.name] = Number(v);
    else if (v !== '' || !el.optional) out[el.name] = v;
  }
  return out;
}

/** The checks Mattermost's webapp makes before sending. */
function localErrors(elements: DialogElement[], values: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const el of elements) {
    const v = values[el.name];
    if (el.type === 'bool') continue;
    const s = String(v ?? '');
    if (!el.optional && s.trim() === '') errors[el.name] = 'This field is required.';
    else if (s && el.min_length && s.length < el.min_length) errors[el.name] = `Must be at least ${el.min_length} characters.`;
    else if (s && el.max_length && s.length > el.max_length) errors[el.name] = `Must be at most ${el.max_length} characters.`;
  }
  return errors;
}

export function DialogModal() {
  const open = useAppSelector((s) => s.views.dialog);
  if (!open) return null;
  return <DialogForm key={open.trigger_id ?? open.url} />;
}

function DialogForm() {
  const dispatch = useAppDispatch();
  const open = useAppSelector((s) => s.views.dialog)!;
  const me = useAppSelector((s) => s.entities.users.currentUserId);
  const channelId = useAppSelector((s) => s.entities.channels.currentChannelId);
  const teamId = useAppSelector((s) => s.entities.teams.currentTeamId);
  const { dialog } = open;
  const elements = dialog.elements ?? [];
  const [values, setValues] = useState<Values>(() => initialValues(elements));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);

  const send = (cancelled: boolean) =>
    Client4.submitDialog({
      url: open.url,
      callback_id: dialog.callback_id ?? '',
      state: dialog.state ?? '',
      user_id: me,
      channel_id: channelId,
      team_id: teamId,
      submission: cancelled ? {} : submission(elements, values),
      cancelled,
    });

  const close = () => {
    if (dialog.notify_on_cancel) void send(true).catch(() => {});
    dispatch(viewsActions.openDialog(null));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = localErrors(elements, values);
    setErrors(local);
    setGeneral('');
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const answer = await send(false);
      if (answer?.errors && Object.keys(answer.errors).length > 0) setErrors(answer.errors);
      if (answer?.error) setGeneral(answer.error);
      if (!answer?.error && !(answer?.errors && Object.keys(answer.errors).length > 0)) dispatch(viewsActions.openDialog(null));
    } catch (err) {
      setGeneral(err instanceof ApiError ? err.message : 'The dialog could not be submitted.');
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));
  return (
    <Modal title={dialog.title} onClose={close} wide>
      <form onSubmit={submit} className="stack-form dialog-form" noValidate>
        {dialog.introduction_text && <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(dialog.introduction_text) }} />}
        {elements.map((el) => (
          <Field key={el.name} element={el} teamId={teamId} value={values[el.name]} error={errors[el.name]} onChange={(v) => set(el.name, v)} />
        ))}
        {general && (
          <p className="form-error" role="alert">
            {general}
          </p>
        )}
        <div className="dialog-form__buttons">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {dialog.submit_label || 'Submit'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function Field({
  element: el,
  teamId,
  value,
  error,
  onChange,
}: {
  element: DialogElement;
  teamId: string;
  value: string | boolean;
  error?: string;
  onChange: (v: string | boolean) => void;
}) {
  const id = `dialog-${el.name}`;
  const describedBy = [error ? `${id}-error` : '', el.help_text ? `${id}-help` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name: el.name, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy, required: !el.optional };
  let control;
  switch (el.type) {
    case 'textarea':
      control = <textarea {...common} value={String(value)} placeholder={el.placeholder} maxLength={el.max_length || undefined} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'select':
      if (isDynamicSource(el.data_source)) {
        control = (
          <DataSourceSelect
            id={id}
            source={el.data_source}
            teamId={teamId}
            value={String(value)}
            label={el.display_name}
            placeholder={el.placeholder}
            invalid={Boolean(error)}
            describedBy={describedBy}
            onChange={onChange}
          />
        );
        break;
      }
      control = (
        <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
          <option value="">{el.placeholder || 'Choose…'}</option>
          {(el.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.text}
            </option>
          ))}
        </select>
      );
      break;
    case 'bool':
      control = <input {...common} required={false} type="checkbox" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />;
      break;
    case 'radio':
      return (
        <fieldset className="dialog-field" aria-describedby={describedBy}>
          <legend>
            {el.display_name}
            {!el.optional && <span aria-hidden="true"> *</span>}
          </legend>
          {(el.options ?? []).map((o) => (
            <label key={o.value} className="checkbox">
              <input type="radio" name={el.name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
              {o.text}
            </label>
          ))}
          <FieldNotes id={id} element={el} error={error} />
        </fieldset>
      );
    default: {
      const types: Record<string, string> = { email: 'email', number: 'number', password: 'password', tel: 'tel', url: 'url' };
      control = (
        <input
          {...common}
          type={types[el.subtype ?? ''] ?? 'text'}
          value={String(value)}
          placeholder={el.placeholder}
          maxLength={el.max_length || undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    }
  }
  return (
    <div className={`dialog-field${el.type === 'bool' ? ' dialog-field--bool' : ''}`}>
      <label htmlFor={id}>
        {el.display_name}
        {!el.optional && <span aria-hidden="true"> *</span>}
      </label>
      {control}
      <FieldNotes id={id} element={el} error={error} />
    </div>
  );
}

function FieldNotes({ id, element, error }: { id: string; element: DialogElement; error?: string }) {
  return (
    <>
      {element.help_text && (
        <p className="muted" id={`${id}-help`}>
          {element.help_text}
        </p>
      )}
      {error && (
        <p className="form-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </>
  );
}
