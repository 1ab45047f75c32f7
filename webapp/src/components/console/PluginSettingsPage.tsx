// Plugins → <plugin>: `/admin_console/plugins/plugin_<id>`, the form Mattermost generates
// from the manifest's `settings_schema`. Saving replaces the values; the server checks
// them against the schema and names the field it refuses, shown beside that field.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useParams } from 'react-router-dom';

import { AdminClient } from '../../api/admin';
import { renderMarkdown } from '../../markdown/render';
import { loadPlugins } from '../../store/admin';
import { useAppDispatch, useAppSelector } from '../../store/index';
import { detailOf, errorText, settingKeyOf } from './errors';
import { SettingField, type SaveAction } from './SettingField';

export function PluginSettingsPage() {
  const { page = '' } = useParams();
  const dispatch = useAppDispatch();
  const pluginId = page.startsWith('plugin_') ? page.slice('plugin_'.length) : '';
  const manifest = useAppSelector((s) => s.entities.admin.plugins[pluginId]);
  const [loaded, setLoaded] = useState(false);
  const [values, setValues] = useState<Record<string, unknown> | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const saveActions = useRef(new Set<SaveAction>()).current;

  useEffect(() => {
    if (!pluginId) return;
    dispatch(loadPlugins())
      .catch((e) => setError(errorText(e)))
      .finally(() => setLoaded(true));
    AdminClient.getSettings(pluginId)
      .then(setValues)
      .catch((e) => setError(errorText(e)));
  }, [pluginId, dispatch]);

  if (!pluginId) return <Navigate to="/admin_console/plugins/plugin_management" replace />;
  if (!manifest) {
    return loaded ? (
      <div>
        <h1>Plugin not found</h1>
        <p>No plugin with the id “{pluginId}” is installed.</p>
        <Link to="/admin_console/plugins/plugin_management">Plugin Management</Link>
      </div>
    ) : (
      <p role="status">Loading…</p>
    );
  }

  const schema = manifest.settings_schema ?? {};
  const settings = schema.settings ?? [];
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!values) return;
    setBusy(true);
    setSaved(false);
    setError('');
    setFieldErrors({});
    try {
      setValues(await AdminClient.putSettings(pluginId, values));
      const failed = (await Promise.all([...saveActions].map((action) => action().catch((e: Error) => ({ error: { message: e.message } })))))
        .map((r) => r?.error?.message)
        .filter(Boolean);
      if (failed.length) setError(failed.join(' '));
      else setSaved(true);
    } catch (err) {
      const key = settingKeyOf(err);
      const match = key && settings.find((s) => s.key.toLowerCase() === key.toLowerCase());
      if (match) setFieldErrors({ [match.key]: detailOf(err) });
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="plugin-settings" onSubmit={save} aria-label={`${manifest.name || manifest.id} settings`}>
      <h1>{manifest.name || manifest.id}</h1>
      {schema.header && <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(schema.header) }} />}
      {settings.length === 0 && <p>This plugin has no settings.</p>}
      {values &&
        settings.map((setting) => (
          <SettingField
            key={setting.key}
            pluginId={pluginId}
            saveActions={saveActions}
            setting={setting}
            value={values[setting.key]}
            error={fieldErrors[setting.key]}
            onChange={(v) => {
              setSaved(false);
              setValues({ ...values, [setting.key]: v });
            }}
          />
        ))}
      {schema.footer && <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(schema.footer) }} />}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="plugin-settings__actions">
        <button className="btn btn--primary" type="submit" disabled={busy || !values || settings.length === 0}>
          Save
        </button>
        {saved && <span role="status">Saved. The plugin has been told about the change.</span>}
      </div>
    </form>
  );
}
