// Installing a bundle: upload a `.tar.gz` (with its `.sig` when the server requires
// signed plugins) or have the server download it from a URL.

import { useState, type FormEvent } from 'react';

import { AdminClient, type PluginManifest } from '../../api/admin';
import { errorText } from './errors';

export function InstallPanel({ onInstalled }: { onInstalled: (manifest: PluginManifest) => void }) {
  const [bundle, setBundle] = useState<File | null>(null);
  const [signature, setSignature] = useState<File | null>(null);
  const [force, setForce] = useState(false);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  const run = async (install: () => Promise<PluginManifest>) => {
    setBusy(true);
    setError('');
    setDone('');
    try {
      const manifest = await install();
      setDone(`Installed ${manifest.name || manifest.id} ${manifest.version}.`);
      onInstalled(manifest);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const upload = (e: FormEvent) => {
    e.preventDefault();
    if (bundle) void run(() => AdminClient.uploadPlugin(bundle, signature, force));
  };
  const fromUrl = (e: FormEvent) => {
    e.preventDefault();
    if (url.trim()) void run(() => AdminClient.installFromUrl(url.trim(), force));
  };

  return (
    <section className="console-section" aria-labelledby="install-heading">
      <h2 id="install-heading">Install a plugin</h2>
      <div className="install-forms">
        <form className="stack-form" onSubmit={upload} aria-label="Upload a plugin">
          <label>
            Plugin bundle (.tar.gz)
            <input type="file" accept=".tar.gz,.tgz,application/gzip" onChange={(e) => setBundle(e.target.files?.[0] ?? null)} />
          </label>
          <label>
            Signature file (.sig), needed when the server requires signed plugins
            <input type="file" accept=".sig" onChange={(e) => setSignature(e.target.files?.[0] ?? null)} />
          </label>
          <button className="btn btn--primary" type="submit" disabled={!bundle || busy}>
            Upload
          </button>
        </form>
        <form className="stack-form" onSubmit={fromUrl} aria-label="Install from a URL">
          <label>
            Bundle URL
            <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/plugin.tar.gz" />
          </label>
          <p className="muted">The server downloads it, and the signature from the same URL with .sig added when signatures are required.</p>
          <button className="btn btn--primary" type="submit" disabled={!url.trim() || busy}>
            Install from URL
          </button>
        </form>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />
        Replace an installed plugin with the same id (upgrade)
      </label>
      {busy && <p role="status">Installing…</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && <p role="status">{done}</p>}
    </section>
  );
}
