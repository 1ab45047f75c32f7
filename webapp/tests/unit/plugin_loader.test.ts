import { createElement } from 'react';
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { ClientPluginManifest } from '../../src/api/types';
import { PluginComponentStore } from '../../src/plugins/components';
import { PluginLoader } from '../../src/plugins/loader';
import { PluginErrorBoundary } from '../../src/plugins/Pluggable';
import type { PluginRegistry } from '../../src/plugins/registry';
import { makeStore } from '../../src/store/index';

const manifest = (id: string, hash = 'aa'): ClientPluginManifest => ({ id, version: '1.0.0', webapp: { bundle_path: `/static/plugins/${id}/${id}_${hash}_bundle.js` } });

/** jsdom does not run scripts: play the bundle's part, then say the script loaded. */
function runBundle(id: string, plugin: Parameters<NonNullable<Window['registerPlugin']>>[1]) {
  const script = document.getElementById(`plugin_${id}`) as HTMLScriptElement;
  expect(script).not.toBeNull();
  window.registerPlugin!(id, plugin);
  script.onload!(new Event('load'));
  return script;
}

function respondWith(manifests: ClientPluginManifest[]) {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(manifests), { status: 200 })));
}

describe('webapp plugin loader', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    document.head.innerHTML = '';
  });

  it('loads a listed bundle, initializes it with its registry and the store, and unloads it', async () => {
    const store = makeStore();
    const slots = new PluginComponentStore();
    const loader = new PluginLoader(store, slots);
    loader.installGlobals();
    vi.spyOn(console, 'info').mockImplementation(() => {});
    respondWith([manifest('com.poll')]);
    const seen: { registry?: PluginRegistry; store?: unknown } = {};
    let stopped = 0;
    const synced = loader.sync();
    await vi.waitFor(() => expect(document.getElementById('plugin_com.poll')).not.toBeNull());
    const script = runBundle('com.poll', {
      initialize(registry, s) {
        seen.registry = registry;
        seen.store = s;
        registry.registerPostTypeComponent('custom_poll', () => null);
      },
      uninitialize: () => stopped++,
    });
    await synced;
    expect(script.getAttribute('src')).toBe('/static/plugins/com.poll/com.poll_aa_bundle.js');
    expect(seen.registry?.id).toBe('com.poll');
    expect(seen.store).toBe(store);
    expect(Object.keys(slots.getSnapshot().postTypes)).toEqual(['custom_poll']);

    // The same bundle is not loaded twice (plugin_enabled after the initial list).
    await loader.load(manifest('com.poll'));
    expect(document.querySelectorAll('script')).toHaveLength(1);

    // The server no longer lists it (disabled while the socket was away).
    respondWith([]);
    await loader.sync();
    expect(stopped).toBe(1);
    expect(slots.getSnapshot().postTypes).toEqual({});
    expect(document.getElementById('plugin_com.poll')).toBeNull();
    expect(window.plugins?.['com.poll']).toBeUndefined();
  });

  it('replaces a plugin whose bundle changed (an upgrade) and refuses bundles from elsewhere', async () => {
    const slots = new PluginComponentStore();
    const loader = new PluginLoader(makeStore(), slots);
    loader.installGlobals();
    vi.spyOn(console, 'info').mockImplementation(() => {});
    const versions: string[] = [];
    const first = loader.load(manifest('p', 'v1'));
    runBundle('p', { initialize: (r) => void r.registerRootComponent(() => null), uninitialize: () => versions.push('v1 stopped') });
    await first;
    const second = loader.load(manifest('p', 'v2'));
    expect(versions).toEqual(['v1 stopped']);
    expect(slots.componentsIn('Root')).toEqual([]);
    runBundle('p', { initialize: (r) => void r.registerRootComponent(() => null) });
    await second;
    expect(slots.componentsIn('Root')).toHaveLength(1);
    expect(document.querySelectorAll('script')).toHaveLength(1);

    await expect(loader.load({ id: 'evil', version: '1', webapp: { bundle_path: 'https://elsewhere.example/x.js' } })).rejects.toThrow(/Refusing/);
    await expect(loader.load({ id: 'evil', version: '1', webapp: { bundle_path: '//elsewhere.example/static/plugins/x.js' } })).rejects.toThrow(/Refusing/);
    expect(document.getElementById('plugin_evil')).toBeNull();
  });

  it('contains a plugin whose initialize throws', async () => {
    const slots = new PluginComponentStore();
    const loader = new PluginLoader(makeStore(), slots);
    loader.installGlobals();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const loading = loader.load(manifest('bad'));
    runBundle('bad', {
      initialize() {
        throw new Error('broken plugin');
      },
    });
    await expect(loading).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('Plugin bad failed in initialize'), expect.any(Error));
  });
});

describe('plugin error boundary', () => {
  it('shows a note in the failing slot only and reports the error', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const Throws = () => {
      throw new Error('draw failed');
    };
    const Fine = () => createElement('span', { id: 'fine' }, 'still here');
    const host = document.createElement('div');
    document.body.appendChild(host);
    const root = createRoot(host);
    await act(async () => {
      root.render(
        createElement('div', null, createElement(PluginErrorBoundary, { pluginId: 'bad' }, createElement(Throws)), createElement(PluginErrorBoundary, { pluginId: 'good' }, createElement(Fine))),
      );
    });
    expect(host.querySelector('[data-plugin-error="bad"]')?.textContent).toContain('An error occurred in the bad plugin.');
    expect(host.querySelector('#fine')?.textContent).toBe('still here');
    expect(error.mock.calls.some((c) => String(c[0]).includes('Plugin bad failed while drawing'))).toBe(true);
    await act(async () => root.unmount());
    error.mockRestore();
  });
});
