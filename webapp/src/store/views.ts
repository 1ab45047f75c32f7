// UI state that is not server data: the thread panel, typing people, the open dialog,
// the post being edited, the theme. Plugins do not read it (Mattermost's `views` is private too).

import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

import type { OpenDialog } from '../api/types';

export type Theme = 'light' | 'dark';

export interface ViewsState {
  /** The root post whose thread the side panel shows, or ''. */
  rhsRootId: string;
  /** Per channel (and thread root, as `channel:root`), user id → time the typing mark expires. */
  typing: Record<string, Record<string, number>>;
  dialog: OpenDialog | null;
  editingPostId: string;
  switcherOpen: boolean;
  theme: Theme;
  /** A message to show in the banner (a failed request, a lost connection), or ''. */
  banner: string;
  /** Per channel, when it was last viewed before it was opened (0: nothing was unread): the "new messages" line. */
  newSince: Record<string, number>;
}

function initialTheme(): Theme {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem('confab.theme');
  if (saved === 'light' || saved === 'dark') return saved;
  if (typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches) return 'dark';
  return 'light';
}

const views = createSlice({
  name: 'views',
  initialState: (): ViewsState => ({
    rhsRootId: '',
    typing: {},
    dialog: null,
    editingPostId: '',
    switcherOpen: false,
    theme: initialTheme(),
    banner: '',
    newSince: {},
  }),
  reducers: {
    openThread(state, action: PayloadAction<string>) {
      state.rhsRootId = action.payload;
    },
    closeThread(state) {
      state.rhsRootId = '';
    },
    typing(state, action: PayloadAction<{ key: string; userId: string; until: number }>) {
      (state.typing[action.payload.key] ??= {})[action.payload.userId] = action.payload.until;
    },
    stoppedTyping(state, action: PayloadAction<{ key: string; userId: string }>) {
      delete state.typing[action.payload.key]?.[action.payload.userId];
    },
    openDialog(state, action: PayloadAction<OpenDialog | null>) {
      state.dialog = action.payload;
    },
    editPost(state, action: PayloadAction<string>) {
      state.editingPostId = action.payload;
    },
    toggleSwitcher(state, action: PayloadAction<boolean>) {
      state.switcherOpen = action.payload;
    },
    setTheme(state, action: PayloadAction<Theme>) {
      state.theme = action.payload;
    },
    newMessagesSince(state, action: PayloadAction<{ channelId: string; since: number }>) {
      state.newSince[action.payload.channelId] = action.payload.since;
    },
    setBanner(state, action: PayloadAction<string>) {
      state.banner = action.payload;
    },
  },
});

export const viewsActions = views.actions;
export const viewsReducer = views.reducer;
