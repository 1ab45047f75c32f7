// The marketplace: the server's index filtered to versions compatible with it, searched,
// with install and upgrade (the server picks the newest compatible version).

import { useCallback, useEffect, useState } from 'react';

import { AdminClient, type MarketplaceEntry, type PluginManifest } from '../../api/admin';
import { errorText } from './errors';

/** Whether `a` is a newer semver than `b` (pre-release tags ignored). */
export function newer(a: string, b: string): boolean {
  const parts = (v: string) => v.split('-')[0].split('.').map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
}

/** One row per plugin id: its newest compatible entry, and every compatible version. */
export function groupEntries(entries: MarketplaceEntry[]): { entry: MarketplaceEntry; versions: string[] }[] {
  const byId = new Map<string, MarketplaceEntry[]>();
  for (const e of entries) byId.set(e.manifest.id, [...(byId.get(e.manifest.id) ?? []), e]);
  return [...byId.values()].map((group) => {
    const sorted = [...group].sort((a, b) => (newer(a.manifest.version, b.manifest.version) ? -1 : newer(b.manifest.version, a.manifest.version) ? 1 : 0));
    return { entry: sorted[0], versions: sorted.map((e) => e.manifest.version) };
  });
}

export function Marketplace({ onInstalled }: { onInstalled: (manifest: PluginManifest) => void }) {
  const [filter, setFilter] = useState('');
  const [entries, setEntries] = useState<MarketplaceEntry[] | null>(null);
  const [error, setError] = useState('');
  const [busyId, setBusyId] = useState('');

  const search = useCallback(async (text: string) => {
    try {
      setEntries(await AdminClient.getMarketplace(text));
      setError('');
    } catch (e) {
      setEntries([]);
      setError(errorText(e));
    }
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => void search(filter), 250);
    return () => clearTimeout(timer);
  }, [filter, search]);

  const install = async (entry: MarketplaceEntry) => {
    setBusyId(entry.manifest.id);
    setError('');
    try {
      onInstalled(await AdminClient.installFromMarketplace(entry.manifest.id, entry.manifest.version));
      await search(filter);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusyId('');
    }
  };

  return (
    <section className="console-section" aria-labelledby="marketplace-heading">
      <h2 id="marketplace-heading">Marketplace</h2>
      <label className="marketplace__search">
        Search the marketplace
        <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name, id or description" />
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && !error && <p className="muted">No compatible plugins found.</p>}
      <ul className="marketplace" aria-label="Marketplace plugins">
        {groupEntries(entries ?? []).map(({ entry, versions }) => {
          const m = entry.manifest;
          const installed = entry.installed_version;
          const upgrade = installed && newer(m.version, installed);
          return (
            <li key={m.id} aria-label={m.name || m.id}>
              <div>
                <strong>{m.name || m.id}</strong> <span className="muted">{m.version}</span>
                {entry.signature ? <span className="plugin-card__tag">signed</span> : null}
                {m.description && <p>{m.description}</p>}
                <p className="muted">Compatible versions: {versions.join(', ')}</p>
                {installed && <p className="muted">Installed: {installed}</p>}
              </div>
              {!installed || upgrade ? (
                <button className="btn btn--primary btn--small" onClick={() => void install(entry)} disabled={busyId !== ''}>
                  {upgrade ? `Upgrade to ${m.version}` : 'Install'}
                </button>
              ) : (
                <span className="muted">Up to date</span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
