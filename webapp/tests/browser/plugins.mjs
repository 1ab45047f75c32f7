// Browser tests of webapp plugins: bundles with a server and a webapp half are uploaded
// and enabled over REST while other people's pages are open; the pages load, draw and
// drop the plugins live, and a plugin that throws stays in its slot.

/* global window -- the functions handed to page.waitForFunction run in the page */

import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const POLL_ID = 'com.confab.poll';
const BROKEN_ID = 'com.confab.test.broken';

/** What the console may say while the throwing plugin is contained (the test expects it). */
export const CONTAINED_PLUGIN_ERRORS = /broken plugin draw|Plugin com\.confab\.test\.broken failed/;

/** `confab plugin pack --no-build` over a directory with plugin.json, server.wasm and webapp/. */
function pack(bin, files) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'confab-bundle-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      if (content.copyFrom) copyFileSync(content.copyFrom, path.join(dir, name));
      else writeFileSync(path.join(dir, name), content);
    }
    const out = path.join(dir, 'bundle.tar.gz');
    const packed = spawnSync(bin, ['plugin', 'pack', dir, '--no-build', '--out', out], { encoding: 'utf8' });
    if (packed.status !== 0) throw new Error(`confab plugin pack failed: ${packed.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function upload(server, token, bundle) {
  const form = new FormData();
  form.append('plugin', new Blob([bundle]), 'bundle.tar.gz');
  const r = await fetch(`${server.url}/api/v4/plugins`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${await r.text()}`);
  return r.json();
}

async function approveAndEnable(server, token, id) {
  await server.api('POST', `/plugins/${id}/permissions/approve`, token, {});
  await server.api('POST', `/plugins/${id}/enable`, token, {});
}

/** Wait until `page` has (or no longer has) the plugin's bundle running. */
async function pluginLoaded(page, id, loaded, timeout) {
  await page.waitForFunction(([pid, want]) => Boolean(window.plugins && window.plugins[pid]) === want, [id, loaded], { timeout });
}

export async function pluginTests({ run, server, bin, root, admin, bob, team, A, B, shots, T }) {
  const pollWasm = process.env.POLL_WASM || path.join(root, 'target/plugins/wasm32-wasip2/release/poll.wasm');
  const pollDir = path.join(root, 'example-plugins/poll');
  const townSquare = (page) => page.getByRole('link', { name: /^Town Square/ }).click();

  await run.test('an enabled plugin appears live for others; its server half answers a vote; the bars move', async () => {
    await townSquare(A.page);
    await townSquare(B.page);
    const manifest = readFileSync(path.join(pollDir, 'plugin.json'), 'utf8');
    const bundle = pack(bin, {
      'plugin.json': manifest,
      'server.wasm': { copyFrom: pollWasm },
      'webapp/dist/main.js': { copyFrom: path.join(pollDir, 'webapp/dist/main.js') },
    });
    await upload(server, admin.token, bundle);
    const permissions = (await server.api('GET', `/plugins/${POLL_ID}/permissions`, admin.token)).data;
    if (permissions.has_webapp !== true || !permissions.pending.includes('events')) throw new Error(`permissions: ${JSON.stringify(permissions)}`);
    await approveAndEnable(server, admin.token, POLL_ID);
    // No reload: plugin_enabled reached both open pages.
    await pluginLoaded(B.page, POLL_ID, true, T);
    await pluginLoaded(A.page, POLL_ID, true, T);

    const channelId = (await server.api('GET', `/teams/${team.id}/channels/name/town-square`, bob.token)).data.id;
    await server.api('POST', '/commands/execute', bob.token, { channel_id: channelId, team_id: team.id, command: '/poll "Lunch?" "Pizza" "Sushi"' });
    const pollIn = (page) => page.locator('.confab-poll', { hasText: 'Lunch?' });
    await pollIn(B.page).waitFor({ timeout: T });
    await pollIn(A.page).waitFor({ timeout: T });

    await pollIn(B.page).getByRole('button', { name: 'Vote for Sushi' }).click();
    for (const page of [B.page, A.page]) {
      const sushi = pollIn(page).locator('.confab-poll__answer[data-answer="1"]');
      await sushi.and(page.locator('[data-count="1"]')).waitFor({ timeout: T });
      const meter = await pollIn(page).getByRole('meter', { name: /^Sushi/ }).getAttribute('aria-valuenow');
      if (meter !== '100') throw new Error(`Sushi's bar is at ${meter}%`);
    }
    await pollIn(A.page).getByRole('button', { name: 'Vote for Pizza' }).click();
    await pollIn(B.page).getByRole('meter', { name: /^Pizza: 1 of 2/ }).waitFor({ timeout: T });
    await B.page.screenshot({ path: path.join(shots, 'plugin-poll.png') });
  });

  await run.test('disabling the plugin removes its component from open pages', async () => {
    await server.api('POST', `/plugins/${POLL_ID}/disable`, admin.token, {});
    await pluginLoaded(B.page, POLL_ID, false, T);
    await B.page.locator('.confab-poll').first().waitFor({ state: 'detached', timeout: T });
    // The post is still there, drawn as its attachment (what clients without the plugin see).
    await B.page.getByRole('button', { name: 'Sushi (1)' }).waitFor({ timeout: T });
    if (await B.page.locator(`#plugin_${POLL_ID.replace(/\./g, '\\.')}`).count()) throw new Error('the bundle script is still in the page');
  });

  await run.test('a plugin that throws is contained to its slot', async () => {
    const manifest = {
      id: BROKEN_ID,
      name: 'Broken',
      version: '1.0.0',
      min_server_version: '0.1.0',
      server: { wasm: 'server.wasm' },
      webapp: { bundle_path: 'webapp/dist/main.js' },
      permissions: ['bots', 'kv', 'posts:write', 'commands', 'events'],
    };
    const web = `(() => {
      const React = window.React;
      const Broken = () => { throw new Error('broken plugin draw'); };
      const Sibling = () => React.createElement('span', { id: 'broken-plugin-sibling' }, 'sibling alive');
      window.registerPlugin('${BROKEN_ID}', {
        initialize(registry) {
          registry.registerRootComponent(Broken);
          registry.registerLeftSidebarHeaderComponent(Sibling);
          registry.registerChannelHeaderButtonAction(React.createElement('span', null, '*'), () => { window.brokenClicks = (window.brokenClicks || 0) + 1; }, 'Broken action', 'Broken action');
        },
      });
    })();`;
    await upload(server, admin.token, pack(bin, { 'plugin.json': JSON.stringify(manifest), 'server.wasm': { copyFrom: pollWasm }, 'webapp/dist/main.js': web }));
    await approveAndEnable(server, admin.token, BROKEN_ID);
    await B.page.locator(`[data-plugin-error="${BROKEN_ID}"]`).waitFor({ timeout: T });
    await B.page.locator('#broken-plugin-sibling').waitFor({ timeout: T });
    await B.page.getByRole('button', { name: 'Broken action' }).click();
    await B.page.waitForFunction(() => window.brokenClicks === 1, null, { timeout: T });
    // The rest of the page works.
    const box = B.page.locator('.channel .composer__input');
    await box.fill('still chatting');
    await box.press('Enter');
    await A.page.locator('.posts .post', { hasText: 'still chatting' }).waitFor({ timeout: T });
    await B.page.screenshot({ path: path.join(shots, 'plugin-contained.png') });
    await server.api('POST', `/plugins/${BROKEN_ID}/disable`, admin.token, {});
    await B.page.locator(`[data-plugin-error="${BROKEN_ID}"]`).waitFor({ state: 'detached', timeout: T });
  });
}
