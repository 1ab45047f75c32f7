// The plugin administration calls of the System Console (Mattermost's `api4/plugin.go`
// plus Confab's settings, permission and metrics routes). Every one is checked by the
// server: a non-admin gets 403 whatever the page shows.

import { request } from './client';

export interface SettingOption {
  display_name: string;
  value: string;
}

/** One entry of a manifest's `settings_schema.settings` (Mattermost's `PluginSetting`). */
export interface PluginSetting {
  key: string;
  display_name?: string;
  type: 'bool' | 'dropdown' | 'generated' | 'radio' | 'text' | 'longtext' | 'number' | 'username' | 'custom';
  help_text?: string;
  regenerate_help_text?: string;
  placeholder?: string;
  default?: unknown;
  options?: SettingOption[];
}

export interface PluginManifest {
  id: string;
  name: string;
  description?: string;
  version: string;
  homepage_url?: string;
  webapp?: { bundle_path: string };
  server?: { wasm: string };
  settings_schema?: { header?: string; footer?: string; settings?: PluginSetting[] };
  permissions?: string[];
}

export interface PluginStatus {
  plugin_id: string;
  state: number;
  error: string;
  name: string;
  version: string;
  description: string;
}

export interface PluginPermissions {
  plugin_id: string;
  requested: string[];
  granted: string[];
  pending: string[];
  staged_version: string | null;
  /** Whether the version the permissions are for has web code. */
  has_webapp: boolean;
}

export interface CostFigures {
  calls: number;
  errors: number;
  failures: Record<string, number>;
  fuel_used: number;
  fuel_per_call: number | null;
  latency_ms_mean: number | null;
  latency_ms_p50: number | null;
  latency_ms_p99: number | null;
  /** Cumulative counts; `le` null is the overflow bucket. */
  latency_buckets: { le: number | null; count: number }[];
}

export interface PluginCost extends CostFigures {
  plugin_id: string;
  instances: number;
  max_instances_seen: number;
  instance_limit: number | null;
  memory_bytes: number;
  memory_cap_bytes_per_instance: number | null;
  fuel_per_call_limit: number | null;
  hooks: Record<string, CostFigures>;
}

export interface MetricsReading {
  at: number;
  plugins: PluginCost[];
}

export interface MarketplaceEntry {
  homepage_url?: string;
  download_url: string;
  release_notes_url?: string;
  signature?: string;
  labels?: { name: string; description?: string }[];
  manifest: PluginManifest;
  installed_version: string;
}

const enc = encodeURIComponent;

export const AdminClient = {
  getPlugins: () => request<{ active: PluginManifest[]; inactive: PluginManifest[] }>('GET', '/plugins'),
  getPluginStatuses: () => request<PluginStatus[]>('GET', '/plugins/statuses'),
  getPluginMetrics: () => request<MetricsReading>('GET', '/plugins/metrics'),
  uploadPlugin: (bundle: File, signature: File | null, force: boolean) => {
    const form = new FormData();
    form.append('plugin', bundle);
    if (force) form.append('force', 'true');
    // The server takes the signature as base64 text (what `.sig` files hold).
    return (signature ? signature.text() : Promise.resolve('')).then((sig) => {
      if (sig.trim()) form.append('signature', sig.trim());
      return request<PluginManifest>('POST', '/plugins', form);
    });
  },
  installFromUrl: (url: string, force: boolean) =>
    request<PluginManifest>('POST', `/plugins/install_from_url?plugin_download_url=${enc(url)}&force=${force ? 'true' : 'false'}`),
  enablePlugin: (id: string) => request<unknown>('POST', `/plugins/${enc(id)}/enable`),
  disablePlugin: (id: string) => request<unknown>('POST', `/plugins/${enc(id)}/disable`),
  removePlugin: (id: string) => request<unknown>('DELETE', `/plugins/${enc(id)}`),
  getPermissions: (id: string) => request<PluginPermissions>('GET', `/plugins/${enc(id)}/permissions`),
  approvePermissions: (id: string) => request<PluginPermissions>('POST', `/plugins/${enc(id)}/permissions/approve`),
  getSettings: (id: string) => request<Record<string, unknown>>('GET', `/plugins/${enc(id)}/settings`),
  putSettings: (id: string, values: Record<string, unknown>) => request<Record<string, unknown>>('PUT', `/plugins/${enc(id)}/settings`, values),
  getMarketplace: (filter: string) => request<MarketplaceEntry[]>('GET', `/plugins/marketplace?filter=${enc(filter)}&per_page=100`),
  installFromMarketplace: (id: string, version: string) => request<PluginManifest>('POST', '/plugins/marketplace', { id, version }),
};
