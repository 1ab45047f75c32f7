// Browser tests of the web client against a real `confab` server (see harness.mjs).
// CONFAB_BIN: the server binary (default ../target/debug/confab); screenshots go to
// SCREENSHOT_DIR (default ../target/webapp-screenshots).

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { Integration, Runner, Server, freePort, launchBrowser } from './harness.mjs';
import { CONTAINED_PLUGIN_ERRORS, pluginTests } from './plugins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const bin = process.env.CONFAB_BIN || path.join(root, 'target/debug/confab');
const shots = process.env.SCREENSHOT_DIR || path.join(root, 'target/webapp-screenshots');
mkdirSync(shots, { recursive: true });

const T = 15000; // longest wait for one thing to appear
/** The budgets: JS gzipped, and the first channel drawn after login. */
const MAX_JS_GZIP_KB = 300;
const MAX_FIRST_CHANNEL_MS = 1000;
const metrics = {};

const integration = new Integration();
await integration.start();
const server = new Server(bin, await freePort(), ['--allowed-untrusted-internal-connections', '127.0.0.1', '--enable-plugin-uploads', 'true']);
await server.start();
process.on('exit', () => server.proc?.exitCode === null && server.proc.kill('SIGKILL'));
const { browser, close } = await launchBrowser();
const run = new Runner();
const consoleErrors = [];

async function newPerson(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  page.on('console', (m) => {
    // Tolerated: avatars answering 404 until the server has the image route, and the
    // browser's own report of refused WebSocket connections while the server restarts.
    const tolerated = /Failed to load resource.*404|WebSocket connection to .* failed: .*ERR_CONNECTION_REFUSED/;
    // Also the errors of the plugin that is meant to throw (contained, and reported here).
    if (m.type() === 'error' && !tolerated.test(m.text()) && !CONTAINED_PLUGIN_ERRORS.test(m.text())) consoleErrors.push(`${name}: ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`${name}: ${e.message}`));
  return { context, page };
}

async function send(page, text) {
  const box = page.locator('.channel .composer__input');
  await box.fill(text);
  await box.press('Enter');
}

const post = (page, text) => page.locator('.posts .post', { hasText: text });

let admin;
let bob;
let team;
const alice = { username: 'alice', password: 'password-alice-1' };
const A = await newPerson('alice');
const B = await newPerson('bob');

try {
  admin = await server.createUser('admin');
  bob = await server.createUser('bob');

  await run.test('sign up, create a team, land in Town Square', async () => {
    await A.page.goto(`${server.url}/`);
    await A.page.getByRole('link', { name: 'Create one' }).click();
    await A.page.getByLabel('Email').fill('alice@example.com');
    await A.page.getByLabel('Username').fill(alice.username);
    await A.page.getByLabel('Password').fill(alice.password);
    await A.page.getByRole('button', { name: 'Create account' }).click();
    await A.page.getByLabel('Team name').fill('Test Team');
    await A.page.getByRole('button', { name: 'Create team' }).click();
    await A.page.waitForURL(/\/test-team\/channels\/town-square$/, { timeout: T });
    await A.page.getByRole('heading', { name: /Town Square/ }).waitFor({ timeout: T });
    team = (await server.api('GET', '/teams/name/test-team', admin.token)).data;
    await server.api('POST', `/teams/${team.id}/members`, admin.token, { team_id: team.id, user_id: bob.id });
  });

  await run.test('a deep link opens the app at that channel after login', async () => {
    await B.page.goto(`${server.url}/test-team/channels/off-topic`);
    await B.page.waitForURL(/\/login/, { timeout: T });
    await B.page.getByLabel('Email or username').fill('bob');
    await B.page.getByLabel('Password').fill(bob.password);
    const started = Date.now();
    await B.page.getByRole('button', { name: 'Log in' }).click();
    await B.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    metrics.first_channel_ms = Date.now() - started;
    console.log(`     first channel drawn ${metrics.first_channel_ms} ms after login`);
    await B.page.getByRole('link', { name: /^Town Square/ }).click();
    await B.page.getByRole('heading', { name: /Town Square/ }).waitFor({ timeout: T });
    // Judged last, so that a slow machine fails this test only, not the ones after it.
    if (metrics.first_channel_ms > MAX_FIRST_CHANNEL_MS) throw new Error(`first channel took ${metrics.first_channel_ms} ms`);
  });

  await run.test('two people chat live, with markdown', async () => {
    await send(A.page, 'Hello **bob**, see `code` and :tada:');
    await post(B.page, 'Hello bob').waitFor({ timeout: T });
    const html = await post(B.page, 'Hello bob').locator('.post__message').innerHTML();
    if (!html.includes('<strong>bob</strong>') || !html.includes('🎉') || !html.includes('<code>code</code>')) throw new Error(`markdown not drawn: ${html}`);
    await send(B.page, 'Hi @alice\n```rust\nfn main() {}\n```');
    const reply = post(A.page, 'Hi');
    await reply.locator('.mention--self', { hasText: '@alice' }).waitFor({ timeout: T });
    await reply.locator('pre code .hljs-keyword', { hasText: 'fn' }).waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'channel.png') });
  });

  await run.test('typing shows for the other person', async () => {
    await B.page.locator('.channel .composer__input').pressSequentially('typing something', { delay: 20 });
    await A.page.getByText('bob is typing…').waitFor({ timeout: T });
    await B.page.locator('.channel .composer__input').fill('');
  });

  await run.test('unread and mention marks appear and clear', async () => {
    await B.page.getByRole('link', { name: /^Off-Topic/ }).click();
    await B.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await send(A.page, 'a plain message');
    await B.page.locator('.sidebar__channel--unread[data-channel="town-square"]').waitFor({ timeout: T });
    await send(A.page, 'and one for @bob');
    await B.page.locator('[data-channel="town-square"] [data-testid="mention-badge"]', { hasText: '1' }).waitFor({ timeout: T });
    await B.page.screenshot({ path: path.join(shots, 'unread.png') });
    await B.page.getByRole('link', { name: /^Town Square/ }).click();
    await post(B.page, 'and one for').waitFor({ timeout: T });
    await B.page.locator('.sidebar__channel--unread[data-channel="town-square"]').waitFor({ state: 'detached', timeout: T });
    await B.page.locator('[data-channel="town-square"] [data-testid="mention-badge"]').waitFor({ state: 'detached', timeout: T });
  });

  await run.test('unread and mention counts are the server’s: they survive a reload and clear for good', async () => {
    const probe = await fetch(`${server.url}/api/v4/users/me/teams/unread`, { headers: { Authorization: `Bearer ${bob.token}` } });
    if (probe.status === 404) {
      console.log('     skipped: this server has no unread routes (GET /users/me/teams/unread answers 404)');
      return;
    }
    await B.page.getByRole('link', { name: /^Off-Topic/ }).click();
    await B.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await send(A.page, 'counted by the server, @bob');
    await B.page.locator('[data-channel="town-square"] [data-testid="mention-badge"]', { hasText: '1' }).waitFor({ timeout: T });
    await B.page.reload();
    await B.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await B.page.locator('.sidebar__channel--unread[data-channel="town-square"]').waitFor({ timeout: T });
    await B.page.locator('[data-channel="town-square"] [data-testid="mention-badge"]', { hasText: '1' }).waitFor({ timeout: T });
    await B.page.getByRole('link', { name: /^Town Square/ }).click();
    await post(B.page, 'counted by the server').waitFor({ timeout: T });
    await B.page.goto(`${server.url}/test-team/channels/off-topic`);
    await B.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await B.page.getByRole('link', { name: /^Town Square$/ }).waitFor({ timeout: T });
    if ((await B.page.locator('.sidebar__channel--unread[data-channel="town-square"]').count()) !== 0) throw new Error('still unread after viewing');
    const { data: members } = await server.api('GET', `/users/me/teams/${team.id}/channels/members`, bob.token);
    const townSquare = (await server.api('GET', `/teams/${team.id}/channels/name/town-square`, bob.token)).data;
    const member = members.find((m) => m.channel_id === townSquare.id);
    if (member.mention_count !== 0 || member.msg_count !== townSquare.total_msg_count) throw new Error(`member after view: ${JSON.stringify(member)}`);
    await B.page.getByRole('link', { name: /^Town Square/ }).click();
    await B.page.getByRole('heading', { name: /Town Square/ }).waitFor({ timeout: T });
  });

  await run.test('a reaction shows for both', async () => {
    const target = post(B.page, 'a plain message');
    await target.hover();
    await target.getByRole('button', { name: 'Add a reaction' }).click();
    await B.page.getByRole('dialog', { name: 'Emoji picker' }).getByRole('button', { name: ':+1:' }).click();
    await post(A.page, 'a plain message').getByRole('button', { name: /\+1 reaction by bob, 1/ }).waitFor({ timeout: T });
    // toggling it again removes it
    await post(B.page, 'a plain message').getByRole('button', { name: /\+1 reaction by you, 1/ }).click();
    await post(A.page, 'a plain message').locator('.reaction').waitFor({ state: 'detached', timeout: T });
  });

  await run.test('a thread reply in the side panel', async () => {
    const root = post(A.page, 'a plain message');
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = A.page.getByRole('complementary', { name: 'Thread' });
    await panel.getByLabel('Reply to the thread').fill('a reply in the thread');
    await panel.getByLabel('Reply to the thread').press('Enter');
    await panel.locator('.post', { hasText: 'a reply in the thread' }).waitFor({ timeout: T });
    await B.page.locator('.posts .post', { hasText: 'a reply in the thread' }).waitFor({ timeout: T });
    await B.page.getByRole('button', { name: '1 reply' }).click();
    await B.page.getByRole('complementary', { name: 'Thread' }).locator('.post', { hasText: 'a reply in the thread' }).waitFor({ timeout: T });
    await B.page.screenshot({ path: path.join(shots, 'thread.png') });
    await B.page.keyboard.press('Escape');
    await A.page.getByRole('button', { name: 'Close the thread' }).click();
  });

  await run.test('Up edits my last post, Escape-free save with Enter', async () => {
    await send(A.page, 'a message with a tpyo');
    await post(A.page, 'a message with a tpyo').waitFor({ timeout: T });
    await A.page.locator('.post:not(.post--pending)', { hasText: 'a message with a tpyo' }).waitFor({ timeout: T });
    const box = A.page.locator('.channel .composer__input');
    await box.click();
    await box.press('ArrowUp');
    const edit = A.page.getByRole('textbox', { name: 'Edit message' });
    await edit.fill('a message with a typo fixed');
    await edit.press('Enter');
    await post(B.page, 'a message with a typo fixed').locator('.post__edited').waitFor({ timeout: T });
  });

  await run.test('slash command autocomplete', async () => {
    const box = A.page.locator('.channel .composer__input');
    await box.fill('/shr');
    const list = A.page.getByRole('listbox', { name: 'Command suggestions' });
    await list.getByRole('option', { name: /\/shrug/ }).waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'slash-autocomplete.png') });
    await box.press('Tab');
    if ((await box.inputValue()) !== '/shrug ') throw new Error(`completed to ${JSON.stringify(await box.inputValue())}`);
    await box.pressSequentially('ok');
    await box.press('Enter');
    await post(B.page, 'ok ¯\\_(ツ)_/¯').waitFor({ timeout: T });
    // @mentions and :emoji: are suggested too
    await box.fill('thanks @bo');
    await A.page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option', { name: /@bob/ }).waitFor({ timeout: T });
    await box.press('Enter');
    await box.pressSequentially(':thumbsu');
    await A.page.getByRole('listbox', { name: 'Suggestions' }).getByRole('option', { name: /:thumbsup:/ }).waitFor({ timeout: T });
    await box.press('Tab');
    if ((await box.inputValue()) !== 'thanks @bob :thumbsup: ') throw new Error(`completed to ${JSON.stringify(await box.inputValue())}`);
    await box.fill('');
  });

  await run.test('an attachment button answered by an integration updates for both', async () => {
    integration.handlers['/action'] = (req) => ({
      update: { message: `approved by ${req.user_name || req.user_id}`, props: { attachments: [] } },
      ephemeral_text: 'You approved it.',
    });
    await server.api('POST', '/posts', bob.token, {
      channel_id: (await server.api('GET', `/teams/${team.id}/channels/name/town-square`, bob.token)).data.id,
      message: 'Deploy request',
      props: {
        attachments: [
          {
            color: '#2389d7',
            pretext: 'A deploy is waiting',
            author_name: 'ci-bot',
            title: 'Release 1.2.3',
            title_link: 'https://example.com/release',
            text: 'Ship **it**?',
            fields: [
              { title: 'Env', value: 'prod', short: true },
              { title: 'By', value: '@bob', short: true },
            ],
            footer: 'deploys',
            actions: [
              { id: 'approve', name: 'Approve', type: 'button', style: 'primary', integration: { url: `${integration.url}/action`, context: { k: 'v' } } },
            ],
          },
        ],
      },
    });
    const card = post(A.page, 'Deploy request');
    await card.locator('.attachment__title', { hasText: 'Release 1.2.3' }).waitFor({ timeout: T });
    await card.locator('.attachment__fields td').nth(1).waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'attachment.png') });
    await card.getByRole('button', { name: 'Approve' }).click();
    await post(B.page, 'approved by').waitFor({ timeout: T });
    await post(A.page, 'approved by').waitFor({ timeout: T });
    await post(A.page, 'You approved it.').waitFor({ timeout: T });
  });

  await run.test('a dialog shows field errors, then submits', async () => {
    integration.handlers['/command'] = async (req) => {
      await server.api('POST', '/actions/dialogs/open', admin.token, {
        trigger_id: req.trigger_id,
        url: `${integration.url}/dialog`,
        dialog: {
          callback_id: 'cb',
          title: 'Order lunch',
          introduction_text: 'Pick **something**',
          submit_label: 'Order',
          elements: [
            { display_name: 'Dish', name: 'dish', type: 'text', placeholder: 'pizza' },
            { display_name: 'Notes', name: 'notes', type: 'textarea', optional: true },
            { display_name: 'Size', name: 'size', type: 'select', options: [{ text: 'Small', value: 's' }, { text: 'Large', value: 'l' }] },
            { display_name: 'Extra cheese', name: 'cheese', type: 'bool', optional: true },
            { display_name: 'Drink', name: 'drink', type: 'radio', options: [{ text: 'Water', value: 'w' }, { text: 'Tea', value: 't' }] },
            { display_name: 'Deliver to', name: 'to', type: 'select', data_source: 'users' },
          ],
        },
      });
      return {};
    };
    integration.handlers['/dialog'] = (req) => (req.submission?.dish === 'pineapple' ? { errors: { dish: 'Not on the menu.' } } : {});
    await server.api('POST', '/commands', admin.token, { team_id: team.id, trigger: 'lunch', url: `${integration.url}/command`, method: 'P', auto_complete: true, auto_complete_desc: 'Order lunch' });
    await send(A.page, '/lunch');
    const dialog = A.page.getByRole('dialog', { name: 'Order lunch' });
    await dialog.waitFor({ timeout: T });
    await dialog.getByLabel('Dish').fill('pineapple');
    await dialog.getByLabel('Size').selectOption('l');
    await dialog.getByLabel('Tea').check();
    // A data_source select: options from the server's user autocomplete as one types.
    await dialog.getByRole('combobox', { name: 'Deliver to' }).pressSequentially('bo');
    await dialog.getByRole('option', { name: '@bob' }).click();
    await dialog.getByRole('button', { name: 'Order' }).click();
    await dialog.getByText('Not on the menu.').waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'dialog-error.png') });
    await dialog.getByLabel('Dish').fill('soup');
    await dialog.getByRole('button', { name: 'Order' }).click();
    await dialog.waitFor({ state: 'detached', timeout: T });
    const last = integration.requests.filter((r) => r.path === '/dialog').pop();
    const sub = last?.body?.submission;
    if (sub?.size !== 'l' || sub?.drink !== 't' || sub?.to !== bob.id) throw new Error(`submission ${JSON.stringify(last?.body)}`);
  });

  await run.test('the page survives a server restart and catches up', async () => {
    await server.stop();
    await A.page.getByRole('status', { name: 'Reconnecting' }).waitFor({ timeout: T });
    await new Promise((r) => setTimeout(r, 2500));
    await server.start();
    const channelId = (await server.api('GET', `/teams/${team.id}/channels/name/town-square`, bob.token)).data.id;
    await server.api('POST', '/posts', bob.token, { channel_id: channelId, message: 'posted while you were away' });
    await post(A.page, 'posted while you were away').waitFor({ timeout: 30000 });
    await A.page.getByRole('status', { name: 'Connected' }).waitFor({ timeout: T });
    await send(A.page, 'back online');
    await post(B.page, 'back online').waitFor({ timeout: 30000 });
  });

  await run.test('Ctrl+K switches channels; dark theme; phone width', async () => {
    await A.page.keyboard.press('Control+k');
    const sw = A.page.getByRole('dialog', { name: 'Switch channels' });
    await sw.getByLabel('Channel name').fill('off');
    await sw.getByLabel('Channel name').press('Enter');
    await A.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await A.page.getByRole('button', { name: 'Switch light or dark theme' }).click();
    await A.page.getByRole('link', { name: /^Town Square/ }).click();
    await A.page.getByRole('heading', { name: /Town Square/ }).waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'dark.png') });
    await A.page.setViewportSize({ width: 390, height: 800 });
    await A.page.screenshot({ path: path.join(shots, 'phone.png') });
    await A.page.getByRole('button', { name: 'Open the channel list' }).click();
    await A.page.getByRole('link', { name: /^Off-Topic/ }).click();
    await A.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await A.page.setViewportSize({ width: 1280, height: 800 });
  });

  await run.test('the theme is a saved preference: it survives a cleared browser and follows other clients', async () => {
    // Alice chose dark above; without the browser's own memory, her preference brings it back.
    await A.page.evaluate(() => localStorage.removeItem('confab.theme'));
    await A.page.emulateMedia({ colorScheme: 'light' });
    await A.page.reload();
    await A.page.getByRole('heading', { name: /Off-Topic/ }).waitFor({ timeout: T });
    await A.page.waitForFunction(() => globalThis.document.documentElement.dataset.theme === 'dark', null, { timeout: T });
    // Another client (here the REST API, as Mattermost's apps save it) changes bob's: his open page follows.
    const onyx = JSON.stringify({ type: 'Onyx', centerChannelBg: '#1b1d22' });
    await server.api('PUT', `/users/${bob.id}/preferences`, bob.token, [{ user_id: bob.id, category: 'theme', name: '', value: onyx }]);
    await B.page.waitForFunction(() => globalThis.document.documentElement.dataset.theme === 'dark', null, { timeout: T });
    const denim = JSON.stringify({ type: 'Denim', centerChannelBg: '#ffffff' });
    await server.api('PUT', `/users/${bob.id}/preferences`, bob.token, [{ user_id: bob.id, category: 'theme', name: '', value: denim }]);
    await B.page.waitForFunction(() => globalThis.document.documentElement.dataset.theme === 'light', null, { timeout: T });
  });

  await run.test('a channel opened with unread posts shows the new-messages line above them, and date lines', async () => {
    const town = (await server.api('GET', `/teams/${team.id}/channels/name/town-square`, bob.token)).data;
    // Alice is in Off-Topic; bob writes twice in Town Square.
    await server.api('POST', '/posts', bob.token, { channel_id: town.id, message: 'first unread one' });
    await server.api('POST', '/posts', bob.token, { channel_id: town.id, message: 'second unread one' });
    await A.page.locator('.sidebar__channel--unread', { hasText: 'Town Square' }).waitFor({ timeout: T });
    await A.page.getByRole('link', { name: /^Town Square/ }).click();
    const line = A.page.getByRole('separator', { name: 'New messages' });
    await line.waitFor({ timeout: T });
    // The line sits right above the first unread post.
    const next = await line.evaluate((el) => el.nextElementSibling?.textContent ?? '');
    if (!next.includes('first unread one')) throw new Error(`the line is above ${JSON.stringify(next.slice(0, 80))}`);
    await A.page.getByRole('separator', { name: 'Today' }).first().waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'new-messages.png') });
  });

  await run.test('a long channel pages back in a windowed list', async () => {
    const channel = (await server.api('POST', '/channels', bob.token, { team_id: team.id, name: 'long', display_name: 'Long', type: 'O' })).data;
    const total = 600;
    for (let i = 0; i < total; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => server.api('POST', '/posts', bob.token, { channel_id: channel.id, message: `long post ${String(i + j).padStart(3, '0')}` })),
      );
    }
    await A.page.goto(`${server.url}/test-team/channels/long`);
    await post(A.page, 'long post 599').waitFor({ timeout: T });
    const posts = A.page.locator('.posts .post');
    const start = A.page.getByText('This is the start of the channel.');
    for (let i = 0; i < 60 && !(await start.isVisible()); i++) {
      await A.page.locator('.posts').evaluate((el) => el.scrollTo(0, 0));
      await A.page.waitForTimeout(150);
      const shown = await posts.count();
      if (shown > 120) throw new Error(`${shown} posts in the DOM: the list is not windowed`);
    }
    await post(A.page, 'long post 000').waitFor({ timeout: T });
    await A.page.screenshot({ path: path.join(shots, 'long-channel-top.png') });
  });

  await run.test('a permalink to an old post loads the history around it and marks it', async () => {
    const channel = (await server.api('GET', `/teams/${team.id}/channels/name/long`, bob.token)).data;
    const page = (await server.api('GET', `/channels/${channel.id}/posts?page=9&per_page=60`, bob.token)).data;
    const old = Object.values(page.posts).find((p) => p.message === 'long post 030');
    if (!old) throw new Error('no post 030 on the page asked');
    // A fresh page (nothing of the channel loaded), straight to the permalink.
    await A.page.goto(`${server.url}/test-team/pl/${old.id}`);
    const marked = A.page.locator('.posts .post--highlight', { hasText: 'long post 030' });
    await marked.waitFor({ timeout: T });
    await A.page.waitForFunction(
      () => {
        const el = globalThis.document.querySelector('.post--highlight');
        const box = globalThis.document.querySelector('.posts')?.getBoundingClientRect();
        const r = el?.getBoundingClientRect();
        return Boolean(r && box && r.top >= box.top && r.bottom <= box.bottom);
      },
      null,
      { timeout: T },
    );
    if (!A.page.url().includes('/channels/long')) throw new Error(`at ${A.page.url()}`);
    await A.page.screenshot({ path: path.join(shots, 'permalink.png') });
    // Scrolling down pages forward to the newest posts.
    for (let i = 0; i < 60 && !(await post(A.page, 'long post 599').isVisible()); i++) {
      await A.page.locator('.posts').evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await A.page.waitForTimeout(150);
    }
    await post(A.page, 'long post 599').waitFor({ timeout: T });
  });

  await pluginTests({ run, server, bin, root, admin, bob, team, A, B, shots, T });

  await run.test(`the JavaScript is at most ${MAX_JS_GZIP_KB} KB gzipped`, async () => {
    const dir = path.join(root, 'webapp/dist/static');
    const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
    metrics.js_gzip_kb = Math.round(js.reduce((n, f) => n + gzipSync(readFileSync(path.join(dir, f)), { level: 9 }).length, 0) / 102.4) / 10;
    console.log(`     JS: ${metrics.js_gzip_kb} KB gzipped`);
    if (metrics.js_gzip_kb > MAX_JS_GZIP_KB) throw new Error(`${metrics.js_gzip_kb} KB`);
  });

  await run.test('no console errors', async () => {
    if (consoleErrors.length) throw new Error(consoleErrors.join('\n'));
  });
} finally {
  writeFileSync(path.join(shots, 'metrics.json'), JSON.stringify(metrics, null, 2));
  await close();
  await server.stop();
  integration.stop();
  server.cleanup();
}

if (!run.summary()) {
  console.log(server.log.split('\n').slice(-40).join('\n'));
  process.exit(1);
}
