// Each permission a plugin manifest can request, said in words an admin can weigh; the
// strings are the host's capability names (host/src/capabilities.rs).

const WORDS: Record<string, string> = {
  kv: 'keep its own data on the server (a private key-value store)',
  'posts:read': 'read any post on the server, with its thread and reactions, and any channel’s history',
  'posts:write': 'create, edit, pin and delete posts, react in any user’s name, and show messages only one user sees',
  'channels:read': 'look up and search channels, list a team’s or a user’s channels and who is in them',
  'channels:write': 'create, change, archive and restore channels, open direct and group messages, and add or remove members',
  'users:read': 'look up user accounts (without email addresses)',
  'users:read-email': 'see users’ email addresses and find users by email',
  'users:write': 'set users’ statuses, change their profiles (username, names, nickname, position) and deactivate or reactivate accounts',
  'teams:read': 'look up teams and list their members',
  commands: 'add slash commands',
  events: 'send live events to users’ open clients',
  bots: 'create bot accounts and post as them',
  'teams:write': 'add people to teams and remove them',
  cluster: 'message its copies on other servers of the cluster',
  'config:write': 'save its own settings (checked against its settings schema)',
  scheduler: 'run later on its own: one-off and recurring jobs kept by the server',
  dialogs: 'open dialogs for a user who clicked one of its buttons or ran one of its commands',
  metrics: 'publish its own counters, gauges and histograms on the server’s /metrics',
};

/** One requested permission, explained. */
export function describeCapability(capability: string): string {
  const known = WORDS[capability];
  if (known) return known;
  if (capability.startsWith('http:')) {
    const host = capability.slice('http:'.length);
    if (host.startsWith('*.')) return `call any address under ${host.slice(2)} over HTTP(S)`;
    return `call ${host} over HTTP(S)`;
  }
  if (capability.startsWith('plugin:')) {
    return `call the plugin ${capability.slice('plugin:'.length)} (its HTTP routes, as this plugin)`;
  }
  return `“${capability}” (not a permission this server knows; the plugin will not get it)`;
}

/** What every plugin may do without asking, so an empty list is not read as "nothing":
 *  hooks are handed their events whatever the grant (a post hook sees every new post). */
export const ALWAYS_ALLOWED = 'write to the server log, read its own settings, and see what its hooks are handed (a plugin that watches posts sees every new post)';

/** The warning for bundles with web code, which is not sandboxed like the server half. */
export const WEB_CODE_WARNING =
  'This bundle includes web code. It runs inside every user’s browser page with that user’s session: it can do anything the user can do in Confab. Unlike the server part, it is not sandboxed by the permissions above.';
