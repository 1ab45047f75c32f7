// The `theme` prop Mattermost hands plugin components: its theme object (colour names of
// Mattermost's default light and dark themes), chosen from this client's light/dark mode.

import type { Theme } from '../store/views';

export type MattermostTheme = Record<string, string>;

const LIGHT: MattermostTheme = {
  type: 'Denim',
  sidebarBg: '#1e325c',
  sidebarText: '#ffffff',
  sidebarHeaderBg: '#192a4d',
  sidebarHeaderTextColor: '#ffffff',
  onlineIndicator: '#3db887',
  awayIndicator: '#ffbc1f',
  dndIndicator: '#d24b4e',
  centerChannelBg: '#ffffff',
  centerChannelColor: '#3f4350',
  newMessageSeparator: '#cc8f00',
  linkColor: '#386fe5',
  buttonBg: '#1c58d9',
  buttonColor: '#ffffff',
  errorTextColor: '#d24b4e',
  mentionHighlightBg: '#ffd470',
  mentionHighlightLink: '#1b1d22',
  codeTheme: 'github',
};

const DARK: MattermostTheme = {
  ...LIGHT,
  type: 'Onyx',
  sidebarBg: '#202228',
  sidebarHeaderBg: '#24272d',
  centerChannelBg: '#191b1f',
  centerChannelColor: '#e3e4e8',
  linkColor: '#5d89ea',
  buttonBg: '#4a7ce8',
  errorTextColor: '#da6c6e',
  mentionHighlightBg: '#0d6e6e',
  mentionHighlightLink: '#a4f4f4',
  codeTheme: 'monokai',
};

export function mattermostTheme(mode: Theme): MattermostTheme {
  return mode === 'dark' ? DARK : LIGHT;
}
