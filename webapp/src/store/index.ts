// The store: `entities` as mattermost-redux shapes it (what webapp plugins will read),
// plus the client's own `views`.

import { combineReducers, configureStore } from '@reduxjs/toolkit';
import { useDispatch, useSelector, type TypedUseSelectorHook } from 'react-redux';

import { entitiesReducers } from './entities';
import { viewsReducer } from './views';

export const rootReducer = combineReducers({
  entities: combineReducers(entitiesReducers),
  views: viewsReducer,
});

export function makeStore() {
  return configureStore({ reducer: rootReducer });
}

export type RootState = ReturnType<typeof rootReducer>;
export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];
export type GetState = () => RootState;

export const useAppDispatch: () => AppDispatch = useDispatch;
export const useAppSelector: TypedUseSelectorHook<RootState> = useSelector;
