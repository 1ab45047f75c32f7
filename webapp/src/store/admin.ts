// `entities.admin` as mattermost-redux keeps it for the System Console: installed plugin
// manifests and statuses by id, plus Confab's cost readings (the last two, so the page can
// turn counters into rates), and the thunks that fill them.

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import { AdminClient, type MetricsReading, type PluginManifest, type PluginStatus } from '../api/admin';
import type { AppDispatch, GetState } from './index';

export interface AdminState {
  plugins: Record<string, PluginManifest>;
  pluginStatuses: Record<string, PluginStatus>;
  /** The newest cost reading and the one before it (rates are their difference). */
  pluginMetrics: { latest: MetricsReading | null; previous: MetricsReading | null };
}

const admin = createSlice({
  name: 'admin',
  initialState: (): AdminState => ({ plugins: {}, pluginStatuses: {}, pluginMetrics: { latest: null, previous: null } }),
  reducers: {
    receivedPlugins(state, action: PayloadAction<PluginManifest[]>) {
      state.plugins = Object.fromEntries(action.payload.map((m) => [m.id, m]));
    },
    receivedPluginStatuses(state, action: PayloadAction<PluginStatus[]>) {
      state.pluginStatuses = Object.fromEntries(action.payload.map((s) => [s.plugin_id, s]));
    },
    receivedPluginMetrics(state, action: PayloadAction<MetricsReading>) {
      state.pluginMetrics = { previous: state.pluginMetrics.latest, latest: action.payload };
    },
  },
});

export const adminActions = admin.actions;
export const adminReducer = admin.reducer;

type Thunk<T = void> = (dispatch: AppDispatch, getState: GetState) => Promise<T>;

/** Installed plugins and their statuses (after any change, and on a timer). */
export function loadPlugins(): Thunk {
  return async (dispatch) => {
    const [list, statuses] = await Promise.all([AdminClient.getPlugins(), AdminClient.getPluginStatuses()]);
    dispatch(adminActions.receivedPlugins([...list.active, ...list.inactive]));
    dispatch(adminActions.receivedPluginStatuses(statuses));
  };
}

/** One cost reading. */
export function loadPluginMetrics(): Thunk {
  return async (dispatch) => {
    dispatch(adminActions.receivedPluginMetrics(await AdminClient.getPluginMetrics()));
  };
}
