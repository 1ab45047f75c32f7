// Emoji shortcodes (`:smile:`) to glyphs, from emojibase's iamcal set (the names Slack and
// Mattermost use), plus Mattermost's aliases for the common ones.

import shortcodes from 'emojibase-data/en/shortcodes/iamcal.json';

const byName = new Map<string, string>();

function glyph(hexcode: string): string {
  return String.fromCodePoint(...hexcode.split('-').map((h) => parseInt(h, 16)));
}

for (const [hexcode, names] of Object.entries(shortcodes as Record<string, string | string[]>)) {
  const g = glyph(hexcode);
  for (const name of Array.isArray(names) ? names : [names]) if (!byName.has(name)) byName.set(name, g);
}
for (const [alias, name] of [
  ['thumbsup', '+1'],
  ['thumbsdown', '-1'],
  ['white_check_mark', 'white_check_mark'],
] as const) {
  const g = byName.get(name);
  if (g && !byName.has(alias)) byName.set(alias, g);
}

/** The glyph for a shortcode name (without colons), or undefined. */
export function emojiGlyph(name: string): string | undefined {
  return byName.get(name.toLowerCase());
}

/** Shortcode names starting with `prefix`, for the picker and autocomplete. */
export function searchEmoji(prefix: string, limit = 40): string[] {
  const p = prefix.toLowerCase();
  const out: string[] = [];
  for (const name of byName.keys()) {
    if (name.startsWith(p)) out.push(name);
    if (out.length >= limit) break;
  }
  return out;
}

/** The picker's first page: the reactions people use most. */
export const COMMON_EMOJI = ['+1', '-1', 'smile', 'joy', 'heart', 'tada', 'eyes', 'white_check_mark', 'thinking_face', 'fire', 'rocket', 'pray', 'clap', 'wave', 'ok_hand', '100'];

/** Replace `:name:` shortcodes in plain text with glyphs (unknown names are left as typed). */
export function replaceShortcodes(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/gi, (whole, name: string) => emojiGlyph(name) ?? whole);
}
