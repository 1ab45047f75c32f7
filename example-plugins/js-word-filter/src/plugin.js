// A Confab plugin in plain JavaScript (no bundler, no dependencies): it replaces
// configured words in new and edited posts, rejects posts that contain a blocked
// phrase, counts both in its KV store and answers `/wordfilter` with the counts.
//
// Imports are the WIT interfaces of `wit/world.wit`; each export object below is one
// hook family. WIT names map to JavaScript as jco does it: kebab-case becomes
// camelCase, records are plain objects (s64 fields are BigInt), variants are
// `{ tag, val }`, a `result<T, E>` import returns T or throws, and an export returns
// T for `ok` or throws the error value for `err`.

import { write } from 'confab:plugin/log@0.2.0';
import { get, set } from 'confab:plugin/kv@0.2.0';
import { getSettings } from 'confab:plugin/config@0.2.0';
import { register } from 'confab:plugin/commands@0.2.0';
// The post a message hook runs for is lent by the host: read only the fields needed.
import { message as lentMessage, userId as lentUserId } from 'confab:plugin/hook-post@0.2.0';

const TRIGGER = 'wordfilter';

/// Per-instance settings, refreshed by `configurationChanged` (the host calls it on
/// every instance before its first hook and whenever an admin saves settings).
let rules = parseSettings('{}');

function parseSettings(json) {
  const settings = JSON.parse(json || '{}');
  const replacements = [];
  for (const pair of String(settings.replacements ?? 'darn=d*rn, heck=h*ck').split(/[,\n]/)) {
    const [word, replacement] = pair.split('=').map((s) => s.trim());
    if (word && replacement !== undefined) {
      replacements.push({ pattern: new RegExp(`\\b${escape(word)}\\b`, 'gi'), replacement });
    }
  }
  const blocked = String(settings.blocked_phrases ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  return { replacements, blocked };
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/// Add one to a decimal counter in KV. Counting is best effort: a KV error is logged,
/// never allowed to block the post.
function bump(key) {
  try {
    set(key, encode(String(count(key) + 1)));
  } catch (e) {
    write('warn', `could not count ${key}`, [['error', JSON.stringify(e)]]);
  }
}

/// A counter stored as decimal ASCII text. (QuickJS has no TextEncoder/TextDecoder;
/// digits need none.)
function count(key) {
  const value = get(key);
  return value ? Number(String.fromCharCode(...value)) : 0;
}

function encode(ascii) {
  return Uint8Array.from(ascii, (c) => c.charCodeAt(0));
}

/// The decision for the lent post: reject, change its message, or allow.
function filter() {
  const original = lentMessage();
  const lower = original.toLowerCase();
  const phrase = rules.blocked.find((p) => lower.includes(p));
  if (phrase !== undefined) {
    bump('rejected');
    write('info', 'rejected a post', [['post_user', lentUserId()], ['phrase', phrase]]);
    return { tag: 'reject', val: `Your message contains the blocked phrase "${phrase}".` };
  }
  let message = original;
  for (const { pattern, replacement } of rules.replacements) {
    message = message.replace(pattern, replacement);
  }
  if (message === original) {
    return { tag: 'allow' };
  }
  bump('filtered');
  write('info', 'filtered a post', [['post_user', lentUserId()]]);
  // Only what changed goes back; `undefined` keeps a field (WIT `option::none`).
  return { tag: 'change', val: { message, type: undefined, props: undefined, fileIds: undefined, isPinned: undefined } };
}

export const lifecycle = {
  activate() {
    register({
      trigger: TRIGGER,
      teamId: '',
      displayName: 'Word filter',
      description: 'Show how many posts the word filter changed or rejected',
      autoComplete: true,
      autoCompleteDesc: 'Word filter statistics',
      autoCompleteHint: '',
      autocompleteData: '',
    });
    write('info', 'js-word-filter activated', []);
  },
  deactivate() {},
  configurationChanged() {
    rules = parseSettings(getSettings());
  },
};

export const messageHooks = {
  messageWillBePosted() {
    return filter();
  },
  messageWillBeUpdated() {
    return filter();
  },
  messageHasBeenPosted() {},
  messageHasBeenUpdated() {},
  messageHasBeenDeleted() {},
};

export const commandHooks = {
  executeCommand(_ctx, args) {
    if (!args.command.trim().startsWith(`/${TRIGGER}`)) {
      throw `unknown command ${args.command}`;
    }
    return {
      responseType: 'in_channel',
      text: `Word filter: ${count('filtered')} posts filtered, ${count('rejected')} rejected.`,
      username: '',
      iconUrl: '',
      channelId: '',
      gotoLocation: '',
      type: '',
      props: '{}',
    };
  },
};
