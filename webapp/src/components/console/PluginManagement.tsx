// Plugins → Plugin Management: install (upload, URL, marketplace), the installed plugins
// with their health and live cost (refreshed every few seconds while the page is open),
// and the confirmed actions on each.

import { useCallback, useEffect, useState } from 'react';

import { AdminClient, type PluginManifest, type PluginPermissions } from '../../api/admin';
import { loadPluginMetrics, loadPlugins } from '../../store/admin';
import { useAppDispatch, useAppSelector } from '../../store/index';
import { ConfirmDialog } from './ConfirmDialog';
import { liveCost } from './cost';
import { errorText } from './errors';
import { InstallPanel } from './InstallPanel';
import { Marketplace } from './Marketplace';
import { PermissionsDialog } from './PermissionsDialog';
import { PluginCard, type PluginAction } from './PluginCard';

/** How often the statuses and cost figures are read while the page is open. */
export const REFRESH_MS = 2000;

type Dialog =
  | { kind: 'permissions'; manifest: PluginManifest; permissions: PluginPermissions; offerEnable: boolean }
  | { kind: 'confirm'; manifest: PluginManifest; action: 'enable' | 'disable' | 'remove' };

export function PluginManagement() {
  const dispatch = useAppDispatch();
  const plugins = useAppSelector((s) => s.entities.admin.plugins);
  const statuses = useAppSelector((s) => s.entities.admin.pluginStatuses);
  const { latest, previous } = useAppSelector((s) => s.entities.admin.pluginMetrics);
  const [pending, setPending] = useState<Record<string, string[]>>({});
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [error, setError] = useState('');

  const refresh = useCallback(async () => {
    try {
      await Promise.all([dispatch(loadPlugins()), dispatch(loadPluginMetrics())]);
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  }, [dispatch]);

  // Pending permissions change only with installs and approvals: read them then.
  const loadPending = useCallback(async (ids: string[]) => {
    const found = await Promise.all(ids.map((id) => AdminClient.getPermissions(id).catch(() => null)));
    setPending((old) => {
      const next = { ...old };
      found.forEach((p, i) => (next[ids[i]] = p?.pending ?? []));
      return next;
    });
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const ids = Object.keys(plugins).sort().join(',');
  useEffect(() => {
    if (ids) void loadPending(ids.split(','));
  }, [ids, loadPending]);

  /** On request, or after an install when there is something to decide (permissions
   *  to approve, or a plugin to enable): show what the plugin asks for. */
  const review = async (manifest: PluginManifest, onlyIfNeeded = false) => {
    try {
      const [permissions, fresh] = await Promise.all([AdminClient.getPermissions(manifest.id), AdminClient.getPluginStatuses()]);
      const running = fresh.find((s) => s.plugin_id === manifest.id)?.state === 2;
      if (onlyIfNeeded && running && permissions.pending.length === 0) return;
      setDialog({ kind: 'permissions', manifest, permissions, offerEnable: !running });
    } catch (e) {
      setError(errorText(e));
    }
  };

  const onInstalled = async (manifest: PluginManifest) => {
    await refresh();
    await loadPending([manifest.id]);
    await review(manifest, true);
  };

  const onAction = (manifest: PluginManifest, action: PluginAction) => {
    if (action === 'permissions') void review(manifest);
    else if (action === 'enable' && pending[manifest.id]?.length) void review(manifest);
    else setDialog({ kind: 'confirm', manifest, action });
  };

  const sorted = Object.values(plugins).sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  return (
    <div className="plugin-management">
      <h1>Plugin Management</h1>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <InstallPanel onInstalled={(m) => void onInstalled(m)} />
      <section className="console-section" aria-labelledby="installed-heading">
        <h2 id="installed-heading">Installed plugins</h2>
        <p className="muted">Cost figures refresh every {REFRESH_MS / 1000} seconds while this page is open.</p>
        {sorted.length === 0 && <p>No plugins are installed.</p>}
        {sorted.map((m) => (
          <PluginCard
            key={m.id}
            manifest={m}
            status={statuses[m.id]}
            cost={liveCost(latest, previous, m.id)}
            pending={pending[m.id] ?? []}
            onAction={(action) => onAction(m, action)}
          />
        ))}
      </section>
      <Marketplace onInstalled={(m) => void onInstalled(m)} />
      {dialog?.kind === 'permissions' && (
        <PermissionsDialog
          name={dialog.manifest.name || dialog.manifest.id}
          permissions={dialog.permissions}
          offerEnable={dialog.offerEnable}
          onDone={() => void refresh().then(() => loadPending([dialog.manifest.id]))}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'confirm' && <ConfirmAction dialog={dialog} onDone={refresh} onClose={() => setDialog(null)} />}
    </div>
  );
}

const CONFIRM = {
  enable: { title: 'Enable', label: 'Enable', text: 'It starts running now and receives events from every user.' },
  disable: { title: 'Disable', label: 'Disable', text: 'It stops running; its slash commands and web code go away for every user.' },
  remove: { title: 'Remove', label: 'Remove', text: 'Its files, settings and stored data are deleted. This cannot be undone.' },
};

function ConfirmAction({ dialog, onDone, onClose }: { dialog: Extract<Dialog, { kind: 'confirm' }>; onDone: () => Promise<void>; onClose: () => void }) {
  const { manifest, action } = dialog;
  const words = CONFIRM[action];
  const name = manifest.name || manifest.id;
  const call = { enable: AdminClient.enablePlugin, disable: AdminClient.disablePlugin, remove: AdminClient.removePlugin }[action];
  return (
    <ConfirmDialog
      title={`${words.title} ${name}?`}
      confirmLabel={words.label}
      danger={action !== 'enable'}
      onConfirm={async () => {
        try {
          await call(manifest.id);
        } catch (e) {
          throw new Error(errorText(e));
        }
        await onDone();
      }}
      onClose={onClose}
    >
      <p>{words.text}</p>
    </ConfirmDialog>
  );
}
