// What the System Console reads of `registerAdminConsoleCustomSetting`: the component a
// running webapp plugin drew for one of its settings, looked up as Mattermost's console
// does (plugin id, then the setting key lower-cased). The console renders it with
// `CustomSettingProps` in place of the generated field, and shows the setting's display
// name beside it only when `options.showTitle` is true.

import { useSyncExternalStore } from 'react';

import { pluginComponents, type AdminConsoleCustomSetting, type PluginComponentStore } from './components';

export type { AdminConsoleCustomSetting, CustomSettingProps } from './components';

/** The custom component for `pluginId`'s setting `key` (any case), if its webapp registered one. */
export function getAdminConsoleCustomSetting(
  pluginId: string,
  key: string,
  from: PluginComponentStore = pluginComponents,
): AdminConsoleCustomSetting | undefined {
  return from.getSnapshot().adminConsoleCustomSettings[pluginId]?.[key.toLowerCase()];
}

/** Every custom setting component of one plugin, by lower-cased key. */
export function getAdminConsoleCustomSettings(
  pluginId: string,
  from: PluginComponentStore = pluginComponents,
): Record<string, AdminConsoleCustomSetting> {
  return from.getSnapshot().adminConsoleCustomSettings[pluginId] ?? {};
}

/** `getAdminConsoleCustomSetting` for a component: redraws when the plugin (un)registers it. */
export function useAdminConsoleCustomSetting(pluginId: string, key: string): AdminConsoleCustomSetting | undefined {
  const snapshot = useSyncExternalStore(pluginComponents.subscribe, pluginComponents.getSnapshot);
  return snapshot.adminConsoleCustomSettings[pluginId]?.[key.toLowerCase()];
}
