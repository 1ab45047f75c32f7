// What every loaded webapp plugin has registered, kept outside Redux because it holds
// functions and components (Mattermost keeps them in `state.plugins`, which is never
// serialized either). Each change makes a new snapshot, so React reads it with
// `useSyncExternalStore` and redraws only what changed.

import type { ComponentType, ReactNode } from 'react';

/** The slots Mattermost's registry fills, by its names (`state.plugins.components`). */
export type SlotName =
  | 'Root'
  | 'ChannelHeaderButton'
  | 'MainMenu'
  | 'PostDropdownMenu'
  | 'RightHandSidebarComponent'
  | 'LeftSidebarHeader'
  | 'MessageWillBePosted'
  | 'SlashCommandWillBePosted'
  | 'NeedsTeamComponent';

// Plugins hand in their own components; their props are theirs to define.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyComponent = ComponentType<any>;

/** One registration; which fields are set depends on the slot (as in Mattermost). */
export interface PluginEntry {
  id: string;
  pluginId: string;
  component?: AnyComponent;
  icon?: ReactNode;
  text?: ReactNode;
  title?: ReactNode;
  dropdownText?: ReactNode;
  tooltipText?: ReactNode;
  mobileIcon?: ReactNode;
  route?: string;
  action?: (...args: never[]) => unknown;
  filter?: (postId: string) => boolean;
  hook?: (...args: never[]) => unknown;
}

export interface PostTypeEntry {
  id: string;
  pluginId: string;
  type: string;
  component: AnyComponent;
}

/** The props Mattermost's System Console gives a custom setting component. */
export interface CustomSettingProps {
  id: string;
  label: ReactNode;
  helpText: ReactNode;
  value: unknown;
  disabled: boolean;
  config: Record<string, unknown>;
  license: Record<string, unknown>;
  setByEnv: boolean;
  onChange: (id: string, value: unknown) => void;
  registerSaveAction: (action: () => Promise<{ error?: { message: string } }>) => void;
  unRegisterSaveAction: (action: () => Promise<{ error?: { message: string } }>) => void;
  setSaveNeeded: () => void;
  cancelSubmit: () => void;
  showConfirm: boolean;
}

export interface AdminConsoleCustomSetting {
  pluginId: string;
  /** The setting's key, lower-cased as Mattermost stores it. */
  key: string;
  component: ComponentType<CustomSettingProps>;
  options: { showTitle: boolean };
}

export type WebSocketHandler = (msg: { event: string; data: Record<string, unknown>; broadcast: Record<string, unknown>; seq: number }) => void;

export interface PluginsSnapshot {
  components: Partial<Record<SlotName, PluginEntry[]>>;
  /** Post type → the component drawing it; the last registration wins, as in Mattermost. */
  postTypes: Record<string, PostTypeEntry>;
  /** Plugin id → lower-cased setting key → its component. */
  adminConsoleCustomSettings: Record<string, Record<string, AdminConsoleCustomSetting>>;
  /** The right-hand sidebar registration shown now, or ''. */
  rhsPluginId: string;
}

type Listener = () => void;

const EMPTY: PluginEntry[] = [];

export class PluginComponentStore {
  private snapshot: PluginsSnapshot = { components: {}, postTypes: {}, adminConsoleCustomSettings: {}, rhsPluginId: '' };
  private readonly listeners = new Set<Listener>();
  /** Plugin id → event → handler (one per event and plugin, as in Mattermost). */
  private readonly wsHandlers = new Map<string, Map<string, WebSocketHandler>>();
  private readonly reconnectHandlers = new Map<string, () => void>();

  getSnapshot = (): PluginsSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  componentsIn(slot: SlotName): PluginEntry[] {
    return this.snapshot.components[slot] ?? EMPTY;
  }

  add(slot: SlotName, entry: PluginEntry): string {
    const list = [...(this.snapshot.components[slot] ?? []), entry];
    this.update({ components: { ...this.snapshot.components, [slot]: list } });
    return entry.id;
  }

  addPostType(entry: PostTypeEntry): string {
    this.update({ postTypes: { ...this.snapshot.postTypes, [entry.type]: entry } });
    return entry.id;
  }

  setAdminConsoleCustomSetting(setting: AdminConsoleCustomSetting): void {
    const mine = { ...this.snapshot.adminConsoleCustomSettings[setting.pluginId], [setting.key]: setting };
    this.update({ adminConsoleCustomSettings: { ...this.snapshot.adminConsoleCustomSettings, [setting.pluginId]: mine } });
  }

  /** `unregisterComponent` / `unregisterPostTypeComponent`: any registration by its id. */
  remove(id: string): void {
    const keep = (e: { id: string }) => e.id !== id;
    this.update({
      components: mapSlots(this.snapshot.components, (list) => list.filter(keep)),
      postTypes: Object.fromEntries(Object.entries(this.snapshot.postTypes).filter(([, e]) => keep(e))),
      rhsPluginId: this.snapshot.rhsPluginId === id ? '' : this.snapshot.rhsPluginId,
    });
  }

  /** Everything one plugin registered, when it is unloaded (Mattermost's `removeWebappPlugin`). */
  removePlugin(pluginId: string): void {
    const other = (e: { pluginId: string }) => e.pluginId !== pluginId;
    const rhs = this.componentsIn('RightHandSidebarComponent').find((e) => e.id === this.snapshot.rhsPluginId);
    const settings = { ...this.snapshot.adminConsoleCustomSettings };
    delete settings[pluginId];
    this.wsHandlers.delete(pluginId);
    this.reconnectHandlers.delete(pluginId);
    this.update({
      components: mapSlots(this.snapshot.components, (list) => list.filter(other)),
      postTypes: Object.fromEntries(Object.entries(this.snapshot.postTypes).filter(([, e]) => other(e))),
      adminConsoleCustomSettings: settings,
      rhsPluginId: rhs && rhs.pluginId === pluginId ? '' : this.snapshot.rhsPluginId,
    });
  }

  showRhs(id: string): void {
    this.update({ rhsPluginId: id });
  }

  hideRhs(id: string): void {
    if (this.snapshot.rhsPluginId === id) this.update({ rhsPluginId: '' });
  }

  toggleRhs(id: string): void {
    this.update({ rhsPluginId: this.snapshot.rhsPluginId === id ? '' : id });
  }

  setWebSocketHandler(pluginId: string, event: string, handler: WebSocketHandler): void {
    const mine = this.wsHandlers.get(pluginId) ?? new Map<string, WebSocketHandler>();
    mine.set(event, handler);
    this.wsHandlers.set(pluginId, mine);
  }

  removeWebSocketHandler(pluginId: string, event: string): void {
    this.wsHandlers.get(pluginId)?.delete(event);
  }

  setReconnectHandler(pluginId: string, handler: () => void): void {
    this.reconnectHandlers.set(pluginId, handler);
  }

  removeReconnectHandler(pluginId: string): void {
    this.reconnectHandlers.delete(pluginId);
  }

  /** Hand an event to every plugin that asked for it; one plugin's throw does not stop the rest. */
  dispatchWebSocketEvent(msg: Parameters<WebSocketHandler>[0]): void {
    for (const [pluginId, handlers] of this.wsHandlers) {
      const handler = handlers.get(msg.event);
      if (handler) guard(pluginId, `its ${msg.event} handler`, () => handler(msg));
    }
  }

  dispatchReconnect(): void {
    for (const [pluginId, handler] of this.reconnectHandlers) guard(pluginId, 'its reconnect handler', handler);
  }

  private update(change: Partial<PluginsSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const l of this.listeners) l();
  }
}

function mapSlots(components: PluginsSnapshot['components'], f: (list: PluginEntry[]) => PluginEntry[]): PluginsSnapshot['components'] {
  return Object.fromEntries(Object.entries(components).map(([slot, list]) => [slot, f(list ?? EMPTY)]));
}

/** Run plugin code so a throw is reported in the console instead of breaking the caller. */
export function guard<T>(pluginId: string, what: string, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    console.error(`Plugin ${pluginId} failed in ${what}:`, e);
    return undefined;
  }
}

/** The one store of the page, filled by the registries of all plugins. */
export const pluginComponents = new PluginComponentStore();
