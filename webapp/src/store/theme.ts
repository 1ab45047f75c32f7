// The theme as a Mattermost preference (category `theme`, name '' for every team): the
// value is a Mattermost theme object, so Mattermost's own apps read the same choice, and
// a theme saved by them (any of their named or custom themes) shows here as light or dark.

import type { Preference } from '../api/types';
import type { Theme } from './views';

/** Mattermost's preference category and name for the theme of all teams. */
export const THEME_CATEGORY = 'theme';

/**
 * The Mattermost theme object saved for each of ours. Field names are Mattermost's; the
 * colours are ours (styles/base.css), so another client shows roughly what this one does.
 */
export function themeObject(theme: Theme): Record<string, string> {
  if (theme === 'dark') {
    return {
      type: 'Onyx',
      sidebarBg: '#15171b',
      sidebarText: '#dfe3ea',
      sidebarTextActiveColor: '#ffffff',
      centerChannelBg: '#1b1d22',
      centerChannelColor: '#e3e5e8',
      buttonBg: '#5b8def',
      buttonColor: '#0d1117',
      linkColor: '#5b8def',
      mentionHighlightBg: '#4a3d12',
      errorTextColor: '#ff7b72',
      codeTheme: 'monokai',
    };
  }
  return {
    type: 'Denim',
    sidebarBg: '#1e325c',
    sidebarText: '#e6ebf5',
    sidebarTextActiveColor: '#ffffff',
    centerChannelBg: '#ffffff',
    centerChannelColor: '#1f2329',
    buttonBg: '#1c58d9',
    buttonColor: '#ffffff',
    linkColor: '#1c58d9',
    mentionHighlightBg: '#fff3c4',
    errorTextColor: '#c62828',
    codeTheme: 'github',
  };
}

/** Mattermost's dark named themes. */
const DARK_TYPES = new Set(['onyx', 'indigo']);

/** Relative luminance of `#rgb`/`#rrggbb` (0 black … 1 white), or null if it is not one. */
function luminance(color: string): number | null {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim())?.[1];
  if (!hex) return null;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * Light or dark from a saved Mattermost theme value: its named type when it is one of
 * Mattermost's, else from the brightness of its centre background. Null when there is
 * no usable value (then the browser's own choice stands).
 */
export function themeOfValue(value: string | undefined): Theme | null {
  if (!value) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const { type, centerChannelBg } = parsed as { type?: unknown; centerChannelBg?: unknown };
  if (typeof centerChannelBg === 'string') {
    const light = luminance(centerChannelBg);
    if (light !== null) return light < 0.5 ? 'dark' : 'light';
  }
  if (typeof type === 'string') return DARK_TYPES.has(type.toLowerCase()) ? 'dark' : 'light';
  return null;
}

/** The theme saved for `teamId` (Mattermost lets a team override the all-teams one), else the all-teams one. */
export function themeFromPreferences(prefs: Record<string, Preference>, teamId = ''): Theme | null {
  return (teamId && themeOfValue(prefs[`${THEME_CATEGORY}--${teamId}`]?.value)) || themeOfValue(prefs[`${THEME_CATEGORY}--`]?.value);
}

/** The preference that saves `theme` for every team. */
export function themePreference(userId: string, theme: Theme): Preference {
  return { user_id: userId, category: THEME_CATEGORY, name: '', value: JSON.stringify(themeObject(theme)) };
}
