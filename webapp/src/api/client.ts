// Client4: the REST calls of Mattermost's API v4 the web client makes.
//
// The session token from login is kept in localStorage and sent as a bearer token; the
// login also sets the MMAUTHTOKEN cookie, which lets <img> load avatars. Every request
// sends `X-Requested-With: XMLHttpRequest` as Mattermost's webapp does.

import type {
  AutocompleteSuggestion,
  ClientPluginManifest,
  Channel,
  ChannelMember,
  Post,
  PostList,
  Preference,
  Reaction,
  Status,
  Team,
  TeamMember,
  TeamUnread,
  User,
} from './types';

const TOKEN_KEY = 'confab.token';

/** An error answer of the server, in Mattermost's shape. */
export class ApiError extends Error {
  readonly status: number;
  readonly id: string;
  readonly body: Record<string, unknown>;

  constructor(status: number, id: string, message: string, body: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.id = id;
    this.body = body;
  }
}

/** Whether an error is a 404 (a route the server does not have yet, or a missing thing). */
export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && (e.status === 404 || e.status === 501);
}

let token: string | null = typeof localStorage === 'undefined' ? null : localStorage.getItem(TOKEN_KEY);

export function getToken(): string | null {
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  if (typeof localStorage === 'undefined') return;
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Called when the server says the session is gone (401), so the app can go to /login. */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** A REST call; a `FormData` body goes as multipart (the browser sets its boundary). */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const multipart = typeof FormData !== 'undefined' && body instanceof FormData;
  if (body !== undefined && !multipart) headers['Content-Type'] = 'application/json';
  const payload = body === undefined ? undefined : multipart ? (body as FormData) : JSON.stringify(body);
  let response: Response;
  try {
    response = await fetch(`/api/v4${path}`, { method, headers, body: payload });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : 'The server cannot be reached.');
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = (data ?? {}) as Record<string, unknown>;
    if (response.status === 401 && token && !path.startsWith('/users/login')) onUnauthorized();
    throw new ApiError(response.status, String(err.id ?? 'unknown'), String(err.message ?? response.statusText), err);
  }
  if (path === '/users/login') {
    const t = response.headers.get('Token');
    if (t) setToken(t);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const Client4 = {
  // users and sessions
  login: (login_id: string, password: string) => request<User>('POST', '/users/login', { login_id, password }),
  logout: () => request<unknown>('POST', '/users/logout'),
  createUser: (user: { email: string; username: string; password: string }) => request<User>('POST', '/users', user),
  getMe: () => request<User>('GET', '/users/me'),
  getUser: (id: string) => request<User>('GET', `/users/${enc(id)}`),
  getUsersByIds: (ids: string[]) => request<User[]>('POST', '/users/ids', ids),
  getUsersByUsernames: (names: string[]) => request<User[]>('POST', '/users/usernames', names),
  autocompleteUsers: (name: string, teamId: string, channelId = '') =>
    request<{ users: User[]; out_of_channel?: User[] }>(
      'GET',
      `/users/autocomplete?name=${enc(name)}&in_team=${enc(teamId)}${channelId ? `&in_channel=${enc(channelId)}` : ''}`,
    ),
  getStatusesByIds: (ids: string[]) => request<Status[]>('POST', '/users/status/ids', ids),
  getStatus: (id: string) => request<Status>('GET', `/users/${enc(id)}/status`),
  updateStatus: (userId: string, status: string) => request<Status>('PUT', `/users/${enc(userId)}/status`, { user_id: userId, status }),
  profileImageUrl: (id: string, lastUpdate = 0) => `/api/v4/users/${enc(id)}/image?_=${lastUpdate}`,
  getMyPreferences: () => request<Preference[]>('GET', '/users/me/preferences'),
  savePreferences: (userId: string, prefs: Preference[]) => request<unknown>('PUT', `/users/${enc(userId)}/preferences`, prefs),

  // teams
  getMyTeams: () => request<Team[]>('GET', '/users/me/teams'),
  getMyTeamMembers: () => request<TeamMember[]>('GET', '/users/me/teams/members'),
  getMyTeamUnreads: () => request<TeamUnread[]>('GET', '/users/me/teams/unread'),
  getTeams: () => request<Team[]>('GET', '/teams?per_page=200'),
  createTeam: (name: string, display_name: string) => request<Team>('POST', '/teams', { name, display_name, type: 'O' }),
  addToTeam: (teamId: string, userId: string) => request<TeamMember>('POST', `/teams/${enc(teamId)}/members`, { team_id: teamId, user_id: userId }),
  getTeamMembers: (teamId: string) => request<TeamMember[]>('GET', `/teams/${enc(teamId)}/members?per_page=200`),

  // channels
  getMyChannels: (teamId: string) => request<Channel[]>('GET', `/users/me/teams/${enc(teamId)}/channels`),
  getMyChannelMembers: (teamId: string) => request<ChannelMember[]>('GET', `/users/me/teams/${enc(teamId)}/channels/members`),
  getChannelMember: (channelId: string, userId: string) => request<ChannelMember>('GET', `/channels/${enc(channelId)}/members/${enc(userId)}`),
  getPublicChannels: (teamId: string) => request<Channel[]>('GET', `/teams/${enc(teamId)}/channels?per_page=200`),
  getChannel: (id: string) => request<Channel>('GET', `/channels/${enc(id)}`),
  getChannelByName: (teamId: string, name: string) => request<Channel>('GET', `/teams/${enc(teamId)}/channels/name/${enc(name)}`),
  createChannel: (c: { team_id: string; name: string; display_name: string; type: 'O' | 'P'; purpose?: string }) =>
    request<Channel>('POST', '/channels', c),
  createDirectChannel: (a: string, b: string) => request<Channel>('POST', '/channels/direct', [a, b]),
  addToChannel: (channelId: string, userId: string) => request<ChannelMember>('POST', `/channels/${enc(channelId)}/members`, { user_id: userId }),
  viewChannel: (channel_id: string, prev_channel_id = '') => request<unknown>('POST', '/channels/members/me/view', { channel_id, prev_channel_id }),
  getChannelStats: (id: string) => request<{ channel_id: string; member_count: number }>('GET', `/channels/${enc(id)}/stats`),

  // posts
  getPosts: (channelId: string, perPage = 60) => request<PostList>('GET', `/channels/${enc(channelId)}/posts?page=0&per_page=${perPage}`),
  getPostsBefore: (channelId: string, postId: string, perPage = 60) =>
    request<PostList>('GET', `/channels/${enc(channelId)}/posts?before=${enc(postId)}&per_page=${perPage}`),
  getPostsSince: (channelId: string, since: number) => request<PostList>('GET', `/channels/${enc(channelId)}/posts?since=${since}`),
  getPost: (id: string) => request<Post>('GET', `/posts/${enc(id)}`),
  getPostsByIds: (ids: string[]) => request<Post[]>('POST', '/posts/ids', ids),
  getThread: (id: string) => request<PostList>('GET', `/posts/${enc(id)}/thread`),
  createPost: (post: { channel_id: string; message: string; root_id?: string; pending_post_id?: string; type?: string; props?: Record<string, unknown> }) => request<Post>('POST', '/posts', post),
  patchPost: (id: string, message: string) => request<Post>('PUT', `/posts/${enc(id)}/patch`, { message }),
  deletePost: (id: string) => request<unknown>('DELETE', `/posts/${enc(id)}`),
  addReaction: (user_id: string, post_id: string, emoji_name: string) => request<Reaction>('POST', '/reactions', { user_id, post_id, emoji_name }),
  removeReaction: (userId: string, postId: string, emoji: string) =>
    request<unknown>('DELETE', `/users/${enc(userId)}/posts/${enc(postId)}/reactions/${enc(emoji)}`),
  doPostAction: (postId: string, actionId: string, selected_option = '') =>
    request<{ status?: string; trigger_id?: string }>('POST', `/posts/${enc(postId)}/actions/${enc(actionId)}`, selected_option ? { selected_option } : {}),

  // commands and dialogs
  executeCommand: (command: string, channel_id: string, team_id: string, root_id = '') =>
    request<{ response_type?: string; text?: string; goto_location?: string; trigger_id?: string }>('POST', '/commands/execute', {
      command,
      channel_id,
      team_id,
      root_id,
    }),
  commandSuggestions: (teamId: string, userInput: string, channelId: string, rootId = '') =>
    request<AutocompleteSuggestion[]>(
      'GET',
      `/teams/${enc(teamId)}/commands/autocomplete_suggestions?user_input=${enc(userInput)}&channel_id=${enc(channelId)}&root_id=${enc(rootId)}`,
    ),
  submitDialog: (body: {
    url: string;
    callback_id?: string;
    state?: string;
    user_id: string;
    channel_id: string;
    team_id: string;
    submission: Record<string, unknown>;
    cancelled: boolean;
  }) => request<{ errors?: Record<string, string>; error?: string } | null>('POST', '/actions/dialogs/submit', { type: 'dialog_submission', ...body }),

  // system
  getClientConfig: () => request<Record<string, string>>('GET', '/config/client?format=old'),

  // webapp plugins
  getWebappPlugins: () => request<ClientPluginManifest[]>('GET', '/plugins/webapp'),
};
