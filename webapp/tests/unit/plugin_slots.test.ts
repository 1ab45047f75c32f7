import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { afterEach, describe, expect, it } from 'vitest';

import type { Channel, ChannelMember, Post } from '../../src/api/types';
import { pluginComponents } from '../../src/plugins/components';
import { ChannelHeaderPlug, PostDropdownPlug, PostTypePlug } from '../../src/plugins/Pluggable';
import { PluginRegistry } from '../../src/plugins/registry';
import { makeStore } from '../../src/store/index';

const post: Post = { id: 'p1', create_at: 1, update_at: 1, edit_at: 0, delete_at: 0, user_id: 'u', channel_id: 'c', root_id: '', message: 'fallback', type: 'custom_poll', props: {} };

async function draw(element: ReturnType<typeof createElement>) {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  const host = document.createElement('div');
  document.body.appendChild(host);
  const root = createRoot(host);
  await act(async () => root.render(createElement(Provider, { store: makeStore(), children: element })));
  return { host, root };
}

describe('plugin slots in the page', () => {
  afterEach(() => {
    pluginComponents.removePlugin('com.slots');
    document.body.innerHTML = '';
  });

  it('draws a registered post type with the post and theme, else the default body, live', async () => {
    const { host, root } = await draw(createElement(PostTypePlug, { post, children: createElement('p', { id: 'default' }, 'fallback') }));
    expect(host.querySelector('#default')).not.toBeNull();
    const registry = new PluginRegistry('com.slots');
    let id = '';
    await act(async () => {
      id = registry.registerPostTypeComponent('custom_poll', (p: { post: Post; theme: { centerChannelBg: string } }) =>
        createElement('b', { id: 'custom' }, `${p.post.id} on ${p.theme.centerChannelBg}`),
      );
    });
    expect(host.querySelector('#custom')?.textContent).toBe('p1 on #ffffff');
    expect(host.querySelector('#default')).toBeNull();
    await act(async () => registry.unregisterPostTypeComponent(id));
    expect(host.querySelector('#default')).not.toBeNull();
    await act(async () => root.unmount());
  });

  it('calls header actions with the channel and member, and post menu actions with the post id where the filter allows', async () => {
    const registry = new PluginRegistry('com.slots');
    const calls: unknown[][] = [];
    registry.registerChannelHeaderButtonAction('★', (...args: unknown[]) => calls.push(args), 'Star it', 'Star it');
    registry.registerPostDropdownMenuAction('Quote', (postId: string) => calls.push([postId]), (postId: string) => postId === 'p1');
    registry.registerPostDropdownMenuAction('Never', () => calls.push(['never']), () => false);
    const channel = { id: 'c' } as Channel;
    const member = { channel_id: 'c', user_id: 'u' } as ChannelMember;
    const { host, root } = await draw(createElement('div', null, createElement(ChannelHeaderPlug, { channel, member }), createElement(PostDropdownPlug, { postId: 'p1' })));
    const button = host.querySelector<HTMLButtonElement>('button[aria-label="Star it"]')!;
    await act(async () => button.click());
    expect(calls).toEqual([[channel, member]]);
    await act(async () => host.querySelector<HTMLButtonElement>('button[aria-label="More actions"]')!.click());
    const items = [...host.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')];
    expect(items.map((i) => i.textContent)).toEqual(['Quote']);
    await act(async () => items[0].click());
    expect(calls[1]).toEqual(['p1']);
    await act(async () => root.unmount());
  });
});
