// The `registry` a webapp plugin's `initialize(registry, store)` receives, with the
// method names, argument order and return values of Mattermost's `PluginRegistry`, so a
// plugin built for Mattermost registers the same way here. Every method also takes one
// object with the arguments by name (`registerPostTypeComponent({type, component})`), as
// Mattermost's do. What it registers lands in `pluginComponents`.

import { createElement, isValidElement, type ReactNode } from 'react';

import type { AppStore } from '../store/index';
import { pluginComponents, type AnyComponent, type PluginComponentStore, type PluginEntry, type SlotName, type WebSocketHandler } from './components';

export interface RegisteredPlugin {
  initialize?: (registry: PluginRegistry, store: AppStore) => void | Promise<void>;
  uninitialize?: () => void;
  /** Mattermost's deprecated name for `uninitialize`, still honoured. */
  deinitialize?: () => void;
}

/** A Redux thunk the plugin dispatches (`store.dispatch(showRHSPlugin)`). */
type RhsAction = () => { data: boolean };

let counter = 0;

/** A fresh 26-character id like Mattermost's `generateId()`. */
export function generateId(): string {
  counter += 1;
  const random = typeof crypto !== 'undefined' && crypto.randomUUID ? crypto.randomUUID().replace(/-/g, '') : Math.random().toString(36).slice(2);
  return `${random}${counter.toString(36)}`.slice(-26).padStart(26, '0');
}

function isNamedArguments(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || isValidElement(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Mattermost's `reArg`: positional arguments, or one plain object holding them by name. */
function named(names: readonly string[], args: unknown[]): Record<string, unknown> {
  if (args.length === 1 && isNamedArguments(args[0]) && names.some((n) => n in (args[0] as object))) return args[0];
  return Object.fromEntries(names.map((n, i) => [n, args[i]]));
}

/** A component handed where an element is expected is drawn as `<Component/>` (as Mattermost does). */
function element(value: unknown): ReactNode {
  if (typeof value === 'function' || (typeof value === 'object' && value !== null && !isValidElement(value) && '$$typeof' in value)) {
    return createElement(value as AnyComponent);
  }
  return value as ReactNode;
}

export class PluginRegistry {
  readonly id: string;
  private readonly slots: PluginComponentStore;

  constructor(id: string, slots: PluginComponentStore = pluginComponents) {
    this.id = id;
    this.slots = slots;
  }

  private put(slot: SlotName, fields: Omit<PluginEntry, 'id' | 'pluginId'>): string {
    return this.slots.add(slot, { id: generateId(), pluginId: this.id, ...fields });
  }

  /** A component drawn at the root of the channel view. Returns its id. */
  registerRootComponent(...args: unknown[]): string {
    const { component } = named(['component'], args);
    return this.put('Root', { component: component as AnyComponent });
  }

  /** The body of posts of one type (`custom_...`); drawn with `{post, theme, isRHS}`. Returns its id. */
  registerPostTypeComponent(...args: unknown[]): string {
    const { type, component } = named(['type', 'component'], args);
    return this.slots.addPostType({ id: generateId(), pluginId: this.id, type: String(type), component: component as AnyComponent });
  }

  /** A channel header button; `action(channel, channelMember)` on click. Returns its id. */
  registerChannelHeaderButtonAction(...args: unknown[]): string {
    const a = named(['icon', 'action', 'dropdownText', 'tooltipText'], args);
    return this.put('ChannelHeaderButton', {
      icon: element(a.icon),
      action: a.action as PluginEntry['action'],
      dropdownText: element(a.dropdownText),
      tooltipText: element(a.tooltipText),
    });
  }

  /** An item of the main menu; `action()` on click. Returns its id. */
  registerMainMenuAction(...args: unknown[]): string {
    const a = named(['text', 'action', 'mobileIcon'], args);
    return this.put('MainMenu', { text: element(a.text), action: a.action as PluginEntry['action'], mobileIcon: element(a.mobileIcon) });
  }

  /** An item of a post's "..." menu; shown where `filter(postId)` allows, `action(postId)` on click. Returns its id. */
  registerPostDropdownMenuAction(...args: unknown[]): string {
    const a = named(['text', 'action', 'filter'], args);
    return this.put('PostDropdownMenu', {
      text: element(a.text),
      action: a.action as PluginEntry['action'],
      filter: typeof a.filter === 'function' ? (a.filter as PluginEntry['filter']) : undefined,
    });
  }

  /**
   * A right-hand sidebar. Returns `{id, showRHSPlugin, hideRHSPlugin, toggleRHSPlugin}`,
   * the last three actions to `store.dispatch`.
   */
  registerRightHandSidebarComponent(...args: unknown[]): { id: string; showRHSPlugin: RhsAction; hideRHSPlugin: RhsAction; toggleRHSPlugin: RhsAction } {
    const a = named(['component', 'title'], args);
    const id = this.put('RightHandSidebarComponent', { component: a.component as AnyComponent, title: element(a.title) });
    const act = (f: () => void): RhsAction => () => {
      f();
      return { data: true };
    };
    return {
      id,
      showRHSPlugin: act(() => this.slots.showRhs(id)),
      hideRHSPlugin: act(() => this.slots.hideRhs(id)),
      toggleRHSPlugin: act(() => this.slots.toggleRhs(id)),
    };
  }

  /** A component fixed to the top of the channel sidebar. Returns its id. */
  registerLeftSidebarHeaderComponent(...args: unknown[]): string {
    const { component } = named(['component'], args);
    return this.put('LeftSidebarHeader', { component: component as AnyComponent });
  }

  /**
   * `hook(message, args)` before a slash command is sent; returns `{message, args}` to go
   * on, `{error: {message}}` to refuse, `{}` to drop it silently. Returns its id.
   */
  registerSlashCommandWillBePostedHook(...args: unknown[]): string {
    const { hook } = named(['hook'], args);
    return this.put('SlashCommandWillBePosted', { hook: hook as PluginEntry['hook'] });
  }

  /** `hook(post)` before a post is sent; returns `{post}` or `{error: {message}}`. Returns its id. */
  registerMessageWillBePostedHook(...args: unknown[]): string {
    const { hook } = named(['hook'], args);
    return this.put('MessageWillBePosted', { hook: hook as PluginEntry['hook'] });
  }

  /** `handler(msg)` for a WebSocket event (plugin events are `custom_<plugin_id>_<event>`). Returns undefined. */
  registerWebSocketEventHandler(...args: unknown[]): void {
    const { event, handler } = named(['event', 'handler'], args);
    this.slots.setWebSocketHandler(this.id, String(event), handler as WebSocketHandler);
  }

  unregisterWebSocketEventHandler(...args: unknown[]): void {
    const { event } = named(['event'], args);
    this.slots.removeWebSocketHandler(this.id, String(event));
  }

  /** `handler()` after the WebSocket reconnects. Returns undefined. */
  registerReconnectHandler(...args: unknown[]): void {
    const { handler } = named(['handler'], args);
    this.slots.setReconnectHandler(this.id, handler as () => void);
  }

  unregisterReconnectHandler(): void {
    this.slots.removeReconnectHandler(this.id);
  }

  /** The System Console draws `component` for the setting `key`. Returns undefined. */
  registerAdminConsoleCustomSetting(...args: unknown[]): void {
    const { key, component, options } = named(['key', 'component', 'options'], args);
    const showTitle = Boolean((options as { showTitle?: boolean } | undefined)?.showTitle);
    this.slots.setAdminConsoleCustomSetting({ pluginId: this.id, key: String(key).toLowerCase(), component: component as AnyComponent, options: { showTitle } });
  }

  /** A page at `/<team>/<plugin_id>/<route>` (Mattermost's `registerNeedsTeamRoute`). Returns its id. */
  registerNeedsTeamRoute(...args: unknown[]): string {
    const { route, component } = named(['route', 'component'], args);
    const path = String(route).trim().replace(/^\//, '');
    return this.put('NeedsTeamComponent', { component: component as AnyComponent, route: `${this.id}/${path}` });
  }

  /** Remove any registration by the id a `register...` call returned. Returns undefined. */
  unregisterComponent(...args: unknown[]): void {
    const { componentId } = named(['componentId'], args);
    this.slots.remove(String(componentId));
  }

  unregisterPostTypeComponent(...args: unknown[]): void {
    const { componentId } = named(['componentId'], args);
    this.slots.remove(String(componentId));
  }
}
