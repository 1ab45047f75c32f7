// The libraries Mattermost puts on `window` for plugin bundles, which declare them as
// externals (`react` → `window.React`) instead of shipping their own copy: two Reacts in
// one page break hooks and context. The names are Mattermost's (`plugins/export.ts`).

import * as ReduxToolkit from '@reduxjs/toolkit';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactRedux from 'react-redux';
import * as ReactRouterDom from 'react-router-dom';

import type { AppStore } from '../store/index';

/** Set the shared libraries, and `window.store` for plugins that read state outside React. */
export function exposePluginLibraries(store: AppStore): void {
  Object.assign(window, {
    React,
    ReactDOM,
    // Redux Toolkit re-exports all of Redux (createStore, combineReducers, bindActionCreators ...).
    Redux: ReduxToolkit,
    ReactRedux,
    ReactRouterDom,
    store,
  });
}
