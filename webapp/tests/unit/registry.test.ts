import { describe, expect, it } from 'vitest';

import { PluginHostRegistry } from '../../src/plugins/registry';
import { makeStore } from '../../src/store/index';

describe('plugin registry seam', () => {
  it('initializes a registered plugin with its registry and the store', async () => {
    const host = new PluginHostRegistry();
    const store = makeStore();
    let seen: unknown = null;
    const Comp = () => null;
    await host.register('com.example', {
      initialize(registry, s) {
        seen = s.getState().entities;
        registry.registerRootComponent(Comp);
        registry.registerNeedsTeamRoute('/hello', Comp);
      },
    }, store);
    expect(seen).toBe(store.getState().entities);
    expect(host.componentsIn('root').map((c) => c.pluginId)).toEqual(['com.example']);
    expect(host.pluginRoutes()[0].route).toBe('/hello');
  });

  it('uninitializes the previous version when a plugin registers again', async () => {
    const host = new PluginHostRegistry();
    const store = makeStore();
    let stopped = 0;
    await host.register('p', { uninitialize: () => stopped++ }, store);
    await host.register('p', {}, store);
    expect(stopped).toBe(1);
  });
});
