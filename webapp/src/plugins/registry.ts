// The seam for Mattermost webapp plugins (the next issue loads them): `window.registerPlugin`
// records a plugin's `initialize(registry, store)` entry point, and the registry collects
// what plugins add to the page. Nothing is loaded yet; the shapes follow Mattermost's
// `PluginRegistry` so a plugin's `registerXxx` calls have somewhere to land.

import type { ComponentType } from 'react';

import type { AppStore } from '../store/index';

export interface PluginComponent {
  id: string;
  pluginId: string;
  component: ComponentType<Record<string, unknown>>;
}

export interface PluginRoute {
  id: string;
  pluginId: string;
  route: string;
  component: ComponentType<Record<string, unknown>>;
}

export interface RegisteredPlugin {
  initialize?: (registry: PluginRegistry, store: AppStore) => void | Promise<void>;
  uninitialize?: () => void;
}

type Listener = () => void;

let nextId = 0;

/** What one plugin registers; one instance per plugin id. */
export class PluginRegistry {
  readonly pluginId: string;
  private readonly host: PluginHostRegistry;

  constructor(pluginId: string, host: PluginHostRegistry) {
    this.pluginId = pluginId;
    this.host = host;
  }

  registerRootComponent(component: ComponentType<Record<string, unknown>>): string {
    return this.host.add('root', { id: `p${nextId++}`, pluginId: this.pluginId, component });
  }

  registerChannelHeaderButtonAction(component: ComponentType<Record<string, unknown>>): string {
    return this.host.add('channelHeaderButton', { id: `p${nextId++}`, pluginId: this.pluginId, component });
  }

  registerAdminConsoleCustomSetting(key: string, component: ComponentType<Record<string, unknown>>): string {
    return this.host.add('adminConsoleCustomSetting', { id: `${this.pluginId}:${key}`, pluginId: this.pluginId, component });
  }

  /** A full-page route under `/plug/<plugin_id>/<route>`, as Mattermost's `registerNeedsTeamRoute`. */
  registerNeedsTeamRoute(route: string, component: ComponentType<Record<string, unknown>>): string {
    const id = `p${nextId++}`;
    this.host.addRoute({ id, pluginId: this.pluginId, route, component });
    return id;
  }

  unregisterComponent(id: string): void {
    this.host.remove(id);
  }
}

/** Everything registered by every plugin, observable by the components that draw it. */
export class PluginHostRegistry {
  private components: Record<string, PluginComponent[]> = {};
  private routes: PluginRoute[] = [];
  private plugins = new Map<string, RegisteredPlugin>();
  private listeners = new Set<Listener>();

  add(slot: string, entry: PluginComponent): string {
    this.components[slot] = [...(this.components[slot] ?? []), entry];
    this.emit();
    return entry.id;
  }

  addRoute(route: PluginRoute): void {
    this.routes = [...this.routes, route];
    this.emit();
  }

  remove(id: string): void {
    for (const slot of Object.keys(this.components)) this.components[slot] = this.components[slot].filter((c) => c.id !== id);
    this.routes = this.routes.filter((r) => r.id !== id);
    this.emit();
  }

  componentsIn(slot: string): PluginComponent[] {
    return this.components[slot] ?? [];
  }

  pluginRoutes(): PluginRoute[] {
    return this.routes;
  }

  registered(pluginId: string): RegisteredPlugin | undefined {
    return this.plugins.get(pluginId);
  }

  /** `window.registerPlugin(id, plugin)`: remember the plugin; `initialize` it with its registry. */
  async register(pluginId: string, plugin: RegisteredPlugin, store: AppStore): Promise<void> {
    this.plugins.get(pluginId)?.uninitialize?.();
    this.plugins.set(pluginId, plugin);
    await plugin.initialize?.(new PluginRegistry(pluginId, this), store);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit() {
    for (const l of this.listeners) l();
  }
}

export const pluginRegistry = new PluginHostRegistry();

declare global {
  interface Window {
    registerPlugin?: (pluginId: string, plugin: RegisteredPlugin) => void;
  }
}

/** Install `window.registerPlugin` (Mattermost's global for plugin bundles). */
export function installPluginGlobal(store: AppStore): void {
  window.registerPlugin = (pluginId, plugin) => {
    void pluginRegistry.register(pluginId, plugin, store);
  };
}
