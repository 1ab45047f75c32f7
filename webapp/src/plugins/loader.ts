// Loading and unloading webapp plugins, in Mattermost's order: the page asks
// `GET /api/v4/plugins/webapp`, adds one `<script>` per bundle (served by this server,
// which the Content-Security-Policy requires); the bundle calls
// `window.registerPlugin(id, plugin)`; once the script has run, `plugin.initialize(registry, store)`.
// `plugin_enabled` loads one live, `plugin_disabled` unloads it: `uninitialize()`, then
// everything it registered is dropped and its script removed.

import { Client4 } from '../api/client';
import type { ClientPluginManifest } from '../api/types';
import type { AppStore } from '../store/index';
import { pluginComponents, type PluginComponentStore } from './components';
import { PluginRegistry, type RegisteredPlugin } from './registry';

declare global {
  interface Window {
    plugins?: Record<string, RegisteredPlugin>;
    registerPlugin?: (pluginId: string, plugin: RegisteredPlugin) => void;
  }
}

const describe = (m: ClientPluginManifest) => `plugin ${m.id}, version ${m.version}`;

export class PluginLoader {
  /** Plugin id → the manifest whose script is in the page. */
  private readonly loaded = new Map<string, ClientPluginManifest>();
  private readonly store: AppStore;
  private readonly slots: PluginComponentStore;

  constructor(store: AppStore, slots: PluginComponentStore = pluginComponents) {
    this.store = store;
    this.slots = slots;
  }

  /** `window.plugins` and `window.registerPlugin`, the globals bundles call. */
  installGlobals(): void {
    window.plugins = {};
    window.registerPlugin = (id, plugin) => {
      const plugins = (window.plugins ??= {});
      // A bundle registering again (a new version) replaces the old one, which is told first.
      const old = plugins[id];
      if (old && old !== plugin) this.stop(id, old);
      plugins[id] = plugin;
    };
  }

  /** Whether the server allows plugins at all (`PluginsEnabled` in the client config). */
  private enabled(): boolean {
    return this.store.getState().entities.general.config.PluginsEnabled !== 'false';
  }

  /** Load every plugin the server lists, dropping those it no longer lists (also after a reconnect). */
  async sync(): Promise<void> {
    if (!this.enabled()) return;
    let manifests: ClientPluginManifest[];
    try {
      manifests = await Client4.getWebappPlugins();
    } catch (e) {
      console.error('The webapp plugins cannot be listed:', e);
      return;
    }
    const listed = new Set(manifests.map((m) => m.id));
    for (const [id, manifest] of this.loaded) if (!listed.has(id)) this.remove(manifest);
    await Promise.all(manifests.map((m) => this.load(m).catch((e: Error) => console.error(e.message))));
  }

  /** Add the plugin's script unless the same bundle is already in the page; resolves once initialized. */
  load(manifest: ClientPluginManifest): Promise<void> {
    const bundle = manifest.webapp?.bundle_path;
    if (!bundle || !this.enabled()) return Promise.resolve();
    const old = this.loaded.get(manifest.id);
    if (old?.webapp?.bundle_path === bundle) return Promise.resolve();
    if (old) this.remove(old);
    // Only paths on this server: a manifest naming another origin is not loaded.
    if (!bundle.startsWith('/static/plugins/')) return Promise.reject(new Error(`Refusing to load ${describe(manifest)} from ${bundle}`));
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.id = `plugin_${manifest.id}`;
      script.src = bundle;
      script.defer = true;
      script.onload = () => {
        if (this.loaded.get(manifest.id) !== manifest) return resolve(); // unloaded meanwhile
        void this.initialize(manifest).then(resolve);
      };
      script.onerror = () => {
        this.loaded.delete(manifest.id);
        script.remove();
        reject(new Error(`Unable to load bundle for ${describe(manifest)}`));
      };
      this.loaded.set(manifest.id, manifest);
      document.head.appendChild(script);
    });
  }

  private async initialize(manifest: ClientPluginManifest): Promise<void> {
    const plugin = window.plugins?.[manifest.id];
    if (!plugin?.initialize) return;
    try {
      await plugin.initialize(new PluginRegistry(manifest.id, this.slots), this.store);
      console.info(`Loaded ${describe(manifest)}`);
    } catch (e) {
      console.error(`Plugin ${manifest.id} failed in initialize:`, e);
    }
  }

  /** Unload a plugin: `uninitialize()`, its registrations, handlers and script go. */
  remove(manifest: ClientPluginManifest): void {
    if (!this.loaded.has(manifest.id)) return;
    this.loaded.delete(manifest.id);
    const plugin = window.plugins?.[manifest.id];
    if (plugin) this.stop(manifest.id, plugin);
    if (window.plugins) delete window.plugins[manifest.id];
    document.getElementById(`plugin_${manifest.id}`)?.remove();
    console.info(`Removed ${describe(manifest)}`);
  }

  private stop(id: string, plugin: RegisteredPlugin): void {
    try {
      if (plugin.uninitialize) plugin.uninitialize();
      else plugin.deinitialize?.();
    } catch (e) {
      console.error(`Plugin ${id} failed in uninitialize:`, e);
    }
    this.slots.removePlugin(id);
  }

  isLoaded(id: string): boolean {
    return this.loaded.has(id);
  }
}

let active: PluginLoader | null = null;

/** The page's loader, with `window.registerPlugin` installed; plugins load once signed in. */
export function startPluginLoader(store: AppStore): PluginLoader {
  active = new PluginLoader(store);
  active.installGlobals();
  return active;
}

export function activePluginLoader(): PluginLoader | null {
  return active;
}
