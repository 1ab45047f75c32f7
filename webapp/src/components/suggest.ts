// What the composer suggests for the text before the caret: slash commands (from the
// server's suggestions route), @people (user autocomplete, or the people already known
// when the server has no such route) and :emoji: shortcodes.

import { Client4, isNotFound } from '../api/client';
import type { User } from '../api/types';
import { emojiGlyph, searchEmoji } from '../markdown/emoji';

export interface Suggestion {
  key: string;
  primary: string;
  secondary: string;
  description: string;
  /** The whole new text of the box when this suggestion is taken. */
  replacement: string;
}

interface Context {
  teamId: string;
  channelId: string;
  rootId: string;
  knownUsers: User[];
}

const MENTION = /(^|\s)@([a-z0-9._-]*)$/i;
const EMOJI = /(^|\s):([a-z0-9_+-]{2,})$/i;

async function users(term: string, ctx: Context): Promise<User[]> {
  try {
    const answer = await Client4.autocompleteUsers(term, ctx.teamId, ctx.channelId);
    return [...answer.users, ...(answer.out_of_channel ?? [])];
  } catch (e) {
    if (!isNotFound(e)) throw e;
    return ctx.knownUsers.filter((u) => u.username.startsWith(term.toLowerCase()));
  }
}

/** Suggestions for `text` (the box's content, caret at the end), or none. */
export async function suggest(text: string, ctx: Context): Promise<Suggestion[]> {
  if (text.startsWith('/') && !text.includes('\n')) {
    const found = await Client4.commandSuggestions(ctx.teamId, text, ctx.channelId, ctx.rootId);
    return (found ?? []).map((s, i) => ({
      key: `cmd-${i}-${s.Complete}`,
      primary: s.Suggestion.startsWith('/') ? s.Suggestion : `/${s.Suggestion}`,
      secondary: s.Hint,
      description: s.Description,
      replacement: `/${s.Complete} `,
    }));
  }
  const mention = MENTION.exec(text);
  if (mention) {
    const before = text.slice(0, text.length - mention[2].length - 1);
    const special = ['here', 'channel', 'all'].filter((n) => n.startsWith(mention[2].toLowerCase()));
    const people = (await users(mention[2], ctx)).slice(0, 20);
    return [
      ...people.map((u) => ({ key: `user-${u.id}`, primary: `@${u.username}`, secondary: u.nickname ?? '', description: '', replacement: `${before}@${u.username} ` })),
      ...special.map((n) => ({ key: `special-${n}`, primary: `@${n}`, secondary: '', description: `Notifies everyone${n === 'here' ? ' online' : ''} in this channel`, replacement: `${before}@${n} ` })),
    ];
  }
  const emoji = EMOJI.exec(text);
  if (emoji) {
    const before = text.slice(0, text.length - emoji[2].length - 1);
    return searchEmoji(emoji[2], 12).map((name) => ({
      key: `emoji-${name}`,
      primary: `${emojiGlyph(name)} :${name}:`,
      secondary: '',
      description: '',
      replacement: `${before}:${name}: `,
    }));
  }
  return [];
}
