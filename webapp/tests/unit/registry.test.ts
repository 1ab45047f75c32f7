import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { getAdminConsoleCustomSetting } from '../../src/plugins/admin_settings';
import { PluginComponentStore } from '../../src/plugins/components';
import { PluginHookRejection, runMessageWillBePostedHooks, runSlashCommandWillBePostedHooks } from '../../src/plugins/hooks';
import { PluginRegistry } from '../../src/plugins/registry';
import { makeStore } from '../../src/store/index';

const Comp = () => null;

describe('plugin registry (Mattermost names and return values)', () => {
  it('takes positional or named arguments and returns ids that unregister', () => {
    const slots = new PluginComponentStore();
    const registry = new PluginRegistry('com.example', slots);
    const root = registry.registerRootComponent(Comp);
    const header = registry.registerChannelHeaderButtonAction({ icon: Comp, action: () => {}, dropdownText: 'Drop', tooltipText: 'Tip' });
    const menu = registry.registerMainMenuAction('Menu text', () => {}, null);
    const postMenu = registry.registerPostDropdownMenuAction('Act', () => {}, (id: string) => id === 'p1');
    const left = registry.registerLeftSidebarHeaderComponent({ component: Comp });
    const postType = registry.registerPostTypeComponent('custom_poll', Comp);
    const ids = [root, header, menu, postMenu, left, postType];
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{26}$/);

    const button = slots.componentsIn('ChannelHeaderButton')[0];
    expect((button.icon as { type: unknown }).type).toBe(Comp); // a component given as icon is drawn as an element
    expect([button.dropdownText, button.tooltipText, button.pluginId]).toEqual(['Drop', 'Tip', 'com.example']);
    expect(slots.componentsIn('MainMenu')[0].text).toBe('Menu text');
    expect(slots.componentsIn('PostDropdownMenu')[0].filter!('p1')).toBe(true);
    expect(slots.getSnapshot().postTypes.custom_poll.component).toBe(Comp);

    registry.unregisterComponent(root);
    registry.unregisterComponent({ componentId: header });
    registry.unregisterPostTypeComponent(postType);
    expect(slots.componentsIn('Root')).toEqual([]);
    expect(slots.componentsIn('ChannelHeaderButton')).toEqual([]);
    expect(slots.getSnapshot().postTypes).toEqual({});
    expect(slots.componentsIn('MainMenu')).toHaveLength(1);
  });

  it('returns the right-hand sidebar actions, dispatchable to the store', () => {
    const slots = new PluginComponentStore();
    const store = makeStore();
    const { id, showRHSPlugin, hideRHSPlugin, toggleRHSPlugin } = new PluginRegistry('p', slots).registerRightHandSidebarComponent(Comp, 'Title');
    expect(slots.getSnapshot().rhsPluginId).toBe('');
    store.dispatch(showRHSPlugin as never);
    expect(slots.getSnapshot().rhsPluginId).toBe(id);
    store.dispatch(hideRHSPlugin as never);
    expect(slots.getSnapshot().rhsPluginId).toBe('');
    store.dispatch(toggleRHSPlugin as never);
    expect(slots.getSnapshot().rhsPluginId).toBe(id);
    slots.removePlugin('p');
    expect(slots.getSnapshot().rhsPluginId).toBe('');
  });

  it('keeps admin console custom settings by plugin and lower-cased key until the plugin goes', () => {
    const slots = new PluginComponentStore();
    const registry = new PluginRegistry('com.example', slots);
    expect(registry.registerAdminConsoleCustomSetting('ApiKey', Comp, { showTitle: true })).toBeUndefined();
    registry.registerAdminConsoleCustomSetting({ key: 'Other', component: Comp });
    expect(getAdminConsoleCustomSetting('com.example', 'apikey', slots)).toMatchObject({ key: 'apikey', component: Comp, options: { showTitle: true } });
    expect(getAdminConsoleCustomSetting('com.example', 'OTHER', slots)?.options.showTitle).toBe(false);
    expect(getAdminConsoleCustomSetting('com.other', 'apikey', slots)).toBeUndefined();
    slots.removePlugin('com.example');
    expect(getAdminConsoleCustomSetting('com.example', 'apikey', slots)).toBeUndefined();
  });

  it('hands WebSocket events to one handler per event and plugin, containing throws', () => {
    const slots = new PluginComponentStore();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    const a = new PluginRegistry('a', slots);
    a.registerWebSocketEventHandler('custom_a_votes', () => seen.push('first'));
    a.registerWebSocketEventHandler('custom_a_votes', () => seen.push('a'));
    new PluginRegistry('b', slots).registerWebSocketEventHandler({
      event: 'custom_a_votes',
      handler: () => {
        throw new Error('boom');
      },
    });
    new PluginRegistry('c', slots).registerWebSocketEventHandler('custom_a_votes', (m: { data: { n: number } }) => seen.push(`c${m.data.n}`));
    let reconnects = 0;
    a.registerReconnectHandler(() => reconnects++);
    slots.dispatchWebSocketEvent({ event: 'custom_a_votes', data: { n: 1 }, broadcast: {}, seq: 3 });
    slots.dispatchWebSocketEvent({ event: 'posted', data: {}, broadcast: {}, seq: 4 });
    slots.dispatchReconnect();
    expect(seen).toEqual(['a', 'c1']);
    expect(reconnects).toBe(1);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('Plugin b failed'), expect.any(Error));
    a.unregisterWebSocketEventHandler('custom_a_votes');
    slots.removePlugin('c');
    slots.dispatchWebSocketEvent({ event: 'custom_a_votes', data: { n: 2 }, broadcast: {}, seq: 5 });
    expect(seen).toEqual(['a', 'c1']);
    error.mockRestore();
  });
});

describe('client-side hooks', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs message hooks in order: change, refuse, skip a throwing one', async () => {
    const slots = new PluginComponentStore();
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const draft = { channel_id: 'c', root_id: '', message: 'hi', type: '', props: {} };
    new PluginRegistry('a', slots).registerMessageWillBePostedHook(async (p: typeof draft) => ({ post: { ...p, message: `${p.message}!` } }));
    new PluginRegistry('b', slots).registerMessageWillBePostedHook(() => {
      throw new Error('broken hook');
    });
    new PluginRegistry('c', slots).registerMessageWillBePostedHook((p: typeof draft) => ({ post: { ...p, props: { seen: p.message } } }));
    expect(await runMessageWillBePostedHooks(draft, slots)).toEqual({ ...draft, message: 'hi!', props: { seen: 'hi!' } });
    const refuse = new PluginRegistry('d', slots).registerMessageWillBePostedHook(() => ({ error: { message: 'No shouting' } }));
    await expect(runMessageWillBePostedHooks(draft, slots)).rejects.toEqual(new PluginHookRejection('No shouting'));
    slots.remove(refuse);
    expect((await runMessageWillBePostedHooks(draft, slots)).message).toBe('hi!');
  });

  it('runs slash command hooks: rewrite, or drop silently on {}', async () => {
    const slots = new PluginComponentStore();
    const args = { channel_id: 'c', team_id: 't', root_id: '' };
    const registry = new PluginRegistry('a', slots);
    const rewrite = registry.registerSlashCommandWillBePostedHook((m: string, a: typeof args) => ({ message: m.replace('/vote', '/poll'), args: a }));
    expect(await runSlashCommandWillBePostedHooks('/vote Q', args, slots)).toEqual({ message: '/poll Q', args });
    registry.unregisterComponent(rewrite);
    registry.registerSlashCommandWillBePostedHook(() => ({}));
    expect(await runSlashCommandWillBePostedHooks('/vote Q', args, slots)).toBeNull();
  });
});

describe('snapshots', () => {
  it('change identity only when something changed, so React redraws exactly then', () => {
    const slots = new PluginComponentStore();
    let calls = 0;
    const off = slots.subscribe(() => calls++);
    const before = slots.getSnapshot();
    expect(slots.getSnapshot()).toBe(before);
    new PluginRegistry('p', slots).registerRootComponent(createElement.bind(null, Comp));
    expect(slots.getSnapshot()).not.toBe(before);
    expect(calls).toBe(1);
    off();
  });
});
