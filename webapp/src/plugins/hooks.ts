// The client-side hooks plugins register, run as Mattermost's webapp runs them: in
// registration order, each seeing what the previous one returned. A hook may be async;
// the message waits for it. A hook that throws is reported and skipped.

import type { Post } from '../api/types';
import { pluginComponents, type PluginComponentStore } from './components';

/** A hook refused the message; `message` is what the user is shown. */
export class PluginHookRejection extends Error {}

interface HookResult {
  error?: { message?: string };
  post?: Partial<Post>;
  message?: string;
  args?: SlashCommandArgs;
}

export interface SlashCommandArgs {
  channel_id: string;
  team_id: string;
  root_id: string;
}

async function call(pluginId: string, hook: unknown, args: unknown[]): Promise<HookResult | undefined> {
  try {
    return (await (hook as (...a: unknown[]) => unknown)(...args)) as HookResult | undefined;
  } catch (e) {
    console.error(`Plugin ${pluginId} failed in a hook:`, e);
    return undefined;
  }
}

/** `registerMessageWillBePostedHook` hooks over a post about to be sent: the post to send. */
export async function runMessageWillBePostedHooks<P extends Partial<Post>>(post: P, slots: PluginComponentStore = pluginComponents): Promise<P> {
  let current = post;
  for (const { pluginId, hook } of slots.componentsIn('MessageWillBePosted')) {
    const result = await call(pluginId, hook, [current]);
    if (!result) continue;
    if (result.error) throw new PluginHookRejection(result.error.message || 'A plugin refused this message.');
    if (result.post) current = result.post as P;
  }
  return current;
}

/**
 * `registerSlashCommandWillBePostedHook` hooks over a command about to be run: the
 * command to run, or null when a hook answered `{}` (drop it without a word).
 */
export async function runSlashCommandWillBePostedHooks(
  message: string,
  args: SlashCommandArgs,
  slots: PluginComponentStore = pluginComponents,
): Promise<{ message: string; args: SlashCommandArgs } | null> {
  let current = { message, args };
  for (const { pluginId, hook } of slots.componentsIn('SlashCommandWillBePosted')) {
    const result = await call(pluginId, hook, [current.message, current.args]);
    if (!result) continue;
    if (result.error) throw new PluginHookRejection(result.error.message || 'A plugin refused this command.');
    if (!result.message && !result.args) return null;
    current = { message: result.message ?? current.message, args: result.args ?? current.args };
  }
  return current;
}
