// Browser tests of the System Console's plugin pages against a real `confab` server (see
// harness.mjs): upload a bundle, read its permissions in words, approve and enable; live
// cost; settings of every type with a server refusal beside its field and the plugin
// seeing a change; an upgrade asking for more staged until approved; disable and remove
// with confirmation; the marketplace (install, then upgrade) from a loopback index; a
// non-admin refused. Screenshots go to SCREENSHOT_DIR (default ../target/webapp-screenshots).

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Runner, Server, freePort, launchBrowser } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const bin = process.env.CONFAB_BIN || path.join(root, 'target/debug/confab');
const shots = process.env.SCREENSHOT_DIR || path.join(root, 'target/webapp-screenshots');
const chainWasm = path.join(root, 'target/plugins/wasm32-wasip2/release/fx_chain.wasm');
mkdirSync(shots, { recursive: true });
const T = 15000;

const work = mkdtempSync(path.join(os.tmpdir(), 'confab-console-'));
const market = path.join(work, 'market');
mkdirSync(market);

/** Web code of the demo bundle: registers the custom setting `color`, which the
 *  settings page draws (the client loads the bundle once the plugin runs). */
const WEBAPP = `(function () {
  if (window.__consoleDemo) return;
  window.__consoleDemo = true;
  var h = window.React.createElement;
  function Color(props) {
    return h('input', { 'aria-label': 'Colour (custom)', value: props.value || '', onChange: function (e) { props.onChange(props.id, e.target.value); } });
  }
  window.registerPlugin('com.example.consoledemo', { initialize: function (registry) { registry.registerAdminConsoleCustomSetting('color', Color); } });
})();`;

/** fx-chain (replaces `from` with `to` in new posts) as a bundle with settings of every type. */
function pack(id, name, version, permissions, { webapp = false, out = path.join(work, `${id}-${version}.tar.gz`) } = {}) {
  const dir = path.join(work, `${id}-${version}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(chainWasm, path.join(dir, 'server.wasm'));
  const manifest = JSON.parse(readFileSync(path.join(root, 'tests/plugins/fx-chain/plugin.json'), 'utf8'));
  Object.assign(manifest, { id, name, version, permissions, description: `${name}: replaces words in new posts.` });
  const defaults = { action: 'replace', from: 'marker', to: 'v1' };
  for (const s of manifest.settings_schema.settings) if (s.key in defaults) s.default = defaults[s.key];
  manifest.settings_schema.header = 'Settings of the **demo**.';
  manifest.settings_schema.settings.push(
    { key: 'loud', display_name: 'Loud', type: 'bool', default: false },
    { key: 'notes', display_name: 'Notes', type: 'longtext', help_text: 'Anything *you* like.' },
    { key: 'limit', display_name: 'Limit', type: 'number', default: 5 },
    { key: 'mode', display_name: 'Mode', type: 'dropdown', default: 'fast', options: [{ display_name: 'Fast', value: 'fast' }, { display_name: 'Careful', value: 'careful' }] },
    { key: 'flavour', display_name: 'Flavour', type: 'radio', default: 'sweet', options: [{ display_name: 'Sweet', value: 'sweet' }, { display_name: 'Sour', value: 'sour' }] },
    { key: 'owner', display_name: 'Owner', type: 'username' },
    { key: 'secret', display_name: 'Webhook secret', type: 'generated', regenerate_help_text: 'Clients using the old secret stop working.' },
    { key: 'color', display_name: 'Colour', type: 'custom' },
  );
  if (webapp) {
    mkdirSync(path.join(dir, 'webapp'), { recursive: true });
    writeFileSync(path.join(dir, 'webapp/main.js'), WEBAPP);
    manifest.webapp = { bundle_path: 'webapp/main.js' };
  }
  writeFileSync(path.join(dir, 'plugin.json'), JSON.stringify(manifest, null, 2));
  execFileSync(bin, ['plugin', 'pack', dir, '--no-build', '--out', out], { stdio: 'pipe' });
  return out;
}

// The marketplace: a loopback static server for the index and its bundles.
const marketPort = await freePort();
const marketUrl = `http://127.0.0.1:${marketPort}`;
const marketServer = http.createServer((req, res) => {
  try {
    const body = readFileSync(path.join(market, path.basename(decodeURIComponent(req.url.split('?')[0]))));
    res.writeHead(200);
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => marketServer.listen(marketPort, '127.0.0.1', r));
const buildIndex = () => execFileSync(bin, ['marketplace', 'build', market, '--base-url', `${marketUrl}/`], { stdio: 'pipe' });
pack('com.example.market', 'Market Demo', '1.0.0', ['kv'], { out: path.join(market, 'market-1.0.0.tar.gz') });
buildIndex();

const server = new Server(bin, await freePort(), [
  '--enable-plugin-uploads',
  'true',
  '--marketplace-url',
  `${marketUrl}/index.json`,
  '--allowed-untrusted-internal-connections',
  '127.0.0.1',
]);
await server.start();
process.on('exit', () => server.proc?.exitCode === null && server.proc.kill('SIGKILL'));
const { browser, close } = await launchBrowser();
const run = new Runner();
const pageErrors = [];

async function signIn(user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${user.username}: ${e.message}`));
  page.on('console', (m) => {
    // Refused requests (400, 403, 404) are logged by the browser itself; they are expected here.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`${user.username}: ${m.text()}`);
  });
  await page.goto(`${server.url}/admin_console/plugins/plugin_management`);
  await page.getByLabel('Email or username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  return page;
}

async function channelId(token) {
  const teams = (await server.api('GET', '/users/me/teams', token)).data;
  const team = teams[0] ?? (await server.api('POST', '/teams', token, { name: 'console-team', display_name: 'Console Team', type: 'O' })).data;
  return (await server.api('GET', `/teams/${team.id}/channels/name/town-square`, token)).data.id;
}

const post = async (token, channel, message) => (await server.api('POST', '/posts', token, { channel_id: channel, message })).data.message;

try {
  const admin = await server.createUser('admin');
  const bob = await server.createUser('bob');
  const channel = await channelId(admin.token);
  const demo = pack('com.example.consoledemo', 'Console Demo', '1.0.0', ['kv', 'http:api.example.com'], { webapp: true });
  let page;
  const card = (name) => page.getByRole('article', { name });

  await run.test('a non-admin is refused the console, and the server refuses the calls', async () => {
    const bobPage = await signIn(bob);
    await bobPage.getByRole('alert').filter({ hasText: 'You do not have permission to open the System Console' }).waitFor({ timeout: T });
    await bobPage.screenshot({ path: path.join(shots, 'console-refused.png') });
    for (const route of ['/plugins', '/plugins/statuses', '/plugins/metrics', '/plugins/marketplace']) {
      const r = await fetch(`${server.url}/api/v4${route}`, { headers: { Authorization: `Bearer ${bob.token}` } });
      if (r.status !== 403) throw new Error(`${route} answered ${r.status} to a non-admin`);
    }
    await bobPage.context().close();
  });

  await run.test('the admin uploads a bundle, reads its permissions, approves and enables it', async () => {
    page = await signIn(admin);
    await page.getByRole('heading', { name: 'Plugin Management' }).waitFor({ timeout: T });
    await page.getByLabel('Plugin bundle (.tar.gz)').setInputFiles(demo);
    await page.getByRole('button', { name: 'Upload' }).click();
    const dialog = page.getByRole('dialog', { name: 'Permissions of Console Demo' });
    await dialog.waitFor({ timeout: T });
    await dialog.getByText('keep its own data on the server').waitFor();
    await dialog.getByText('call api.example.com over HTTP(S)').waitFor();
    await dialog.getByText('This bundle includes web code').waitFor();
    await page.screenshot({ path: path.join(shots, 'console-permissions.png') });
    await dialog.getByRole('button', { name: 'Approve and enable' }).click();
    await dialog.waitFor({ state: 'detached', timeout: T });
    await card('Console Demo').getByTestId('plugin-state').filter({ hasText: 'Running' }).waitFor({ timeout: T });
  });

  await run.test('live cost: calls, latency, fuel, instances and memory refresh while the page is open', async () => {
    const demoCard = card('Console Demo');
    if ((await post(admin.token, channel, 'marker one')) !== 'v1 one') throw new Error('the plugin did not run');
    await demoCard.getByTestId('calls-per-second').filter({ hasText: /^\d+\.\d$/ }).waitFor({ timeout: T });
    const memory = await demoCard.getByTestId('memory').textContent();
    if (!/KiB|MiB/.test(memory)) throw new Error(`memory ${memory}`);
    const before = Number(await demoCard.getByTestId('calls').textContent());
    for (let i = 0; i < 5; i++) await post(admin.token, channel, `marker ${i}`);
    await page.waitForFunction(
      (n) => Number(globalThis.document.querySelector('[data-plugin-id="com.example.consoledemo"] [data-testid="calls"]')?.textContent) >= n + 5,
      before,
      { timeout: T },
    );
    await page.screenshot({ path: path.join(shots, 'console-plugins.png'), fullPage: true });
  });

  await run.test('settings of every type; a refused value is shown beside its field; the plugin sees a change', async () => {
    await card('Console Demo').getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(/\/admin_console\/plugins\/plugin_com\.example\.consoledemo$/, { timeout: T });
    const form = page.getByRole('form', { name: 'Console Demo settings' });
    await form.getByLabel('To', { exact: true }).fill('v2');
    await form.getByLabel('Loud').check();
    await form.getByLabel('Notes').fill('two\nlines');
    await form.getByLabel('Mode').selectOption('careful');
    await form.getByLabel('Sour').check();
    await form.getByLabel('Owner').fill('bob');
    await form.getByLabel('Colour (custom)').fill('teal');
    const secret = await form.getByLabel('Webhook secret', { exact: true }).inputValue();
    await form.getByRole('button', { name: 'Regenerate Webhook secret' }).click();
    if ((await form.getByLabel('Webhook secret', { exact: true }).inputValue()) === secret) throw new Error('not regenerated');
    await form.getByLabel('Limit').fill('ten');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.locator('[data-setting="limit"] .form-error').filter({ hasText: 'must be a number' }).waitFor({ timeout: T });
    await page.screenshot({ path: path.join(shots, 'console-settings-error.png'), fullPage: true });
    await form.getByLabel('Limit').fill('10');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Saved.').waitFor({ timeout: T });
    const saved = (await server.api('GET', '/plugins/com.example.consoledemo/settings', admin.token)).data;
    const want = { to: 'v2', loud: true, notes: 'two\nlines', limit: 10, mode: 'careful', flavour: 'sour', owner: 'bob', color: 'teal' };
    for (const [k, v] of Object.entries(want)) if (JSON.stringify(saved[k]) !== JSON.stringify(v)) throw new Error(`${k}: ${JSON.stringify(saved[k])}`);
    if (typeof saved.secret !== 'string' || saved.secret.length < 20) throw new Error(`secret ${saved.secret}`);
    if ((await post(admin.token, channel, 'marker two')) !== 'v2 two') throw new Error('the plugin did not see the new setting');
  });

  await run.test('an upgrade asking for more shows exactly the new permission and waits for approval', async () => {
    await page.getByRole('link', { name: 'Plugin Management' }).click();
    const upgrade = pack('com.example.consoledemo', 'Console Demo', '1.1.0', ['kv', 'http:api.example.com', 'posts:read'], { webapp: true });
    await page.getByLabel('Replace an installed plugin with the same id (upgrade)').check();
    await page.getByLabel('Plugin bundle (.tar.gz)').setInputFiles(upgrade);
    await page.getByRole('button', { name: 'Upload' }).click();
    const dialog = page.getByRole('dialog', { name: 'Permissions of Console Demo' });
    await dialog.getByText('Version 1.1.0 is uploaded and waits for your approval').waitFor({ timeout: T });
    const listed = await dialog.getByRole('list', { name: 'New permissions' }).getByRole('listitem').allTextContents();
    if (listed.length !== 1 || !listed[0].includes('read any post')) throw new Error(`new permissions: ${listed}`);
    await page.screenshot({ path: path.join(shots, 'console-upgrade.png') });
    await dialog.getByRole('button', { name: 'Not now' }).click();
    const demoCard = card('Console Demo');
    await demoCard.getByText('Waiting for approval: posts:read').waitFor({ timeout: T });
    if ((await demoCard.locator('.plugin-card__version').textContent()) !== '1.0.0') throw new Error('the upgrade did not wait');
    await demoCard.getByRole('button', { name: 'Review permissions' }).click();
    await dialog.getByRole('button', { name: 'Approve and upgrade to 1.1.0' }).click();
    await demoCard.locator('.plugin-card__version', { hasText: '1.1.0' }).waitFor({ timeout: T });
  });

  await run.test('disable and remove ask first', async () => {
    const demoCard = card('Console Demo');
    await demoCard.getByRole('button', { name: 'Disable' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disable Console Demo?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await demoCard.getByTestId('plugin-state').filter({ hasText: 'Running' }).waitFor({ timeout: T });
    await demoCard.getByRole('button', { name: 'Disable' }).click();
    await confirm.getByRole('button', { name: 'Disable' }).click();
    await demoCard.getByTestId('plugin-state').filter({ hasText: 'Not running' }).waitFor({ timeout: T });
    if ((await post(admin.token, channel, 'marker three')) !== 'marker three') throw new Error('still running');
    await demoCard.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: 'Remove Console Demo?' }).getByRole('button', { name: 'Remove' }).click();
    await demoCard.waitFor({ state: 'detached', timeout: T });
  });

  await run.test('marketplace: search, install from a loopback index, then upgrade', async () => {
    const list = page.getByRole('list', { name: 'Marketplace plugins' });
    await page.getByLabel('Search the marketplace').fill('market');
    const entry = list.getByRole('listitem', { name: 'Market Demo' });
    await entry.getByText('Compatible versions: 1.0.0').waitFor({ timeout: T });
    await entry.getByRole('button', { name: 'Install' }).click();
    const dialog = page.getByRole('dialog', { name: 'Permissions of Market Demo' });
    await dialog.getByRole('button', { name: 'Approve and enable' }).click();
    await card('Market Demo').getByTestId('plugin-state').filter({ hasText: 'Running' }).waitFor({ timeout: T });
    pack('com.example.market', 'Market Demo', '1.1.0', ['kv'], { out: path.join(market, 'market-1.1.0.tar.gz') });
    buildIndex();
    await page.getByLabel('Search the marketplace').fill('Market D');
    await entry.getByText('Compatible versions: 1.1.0, 1.0.0').waitFor({ timeout: T });
    await page.screenshot({ path: path.join(shots, 'console-marketplace.png'), fullPage: true });
    await entry.getByRole('button', { name: 'Upgrade to 1.1.0' }).click();
    await card('Market Demo').locator('.plugin-card__version', { hasText: '1.1.0' }).waitFor({ timeout: T });
    await entry.getByText('Up to date').waitFor({ timeout: T });
  });

  await run.test('dark theme and phone width', async () => {
    await page.getByRole('button', { name: 'Switch light or dark theme' }).click();
    await page.screenshot({ path: path.join(shots, 'console-dark.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await card('Market Demo').getByRole('button', { name: 'Disable' }).waitFor();
    const overflow = await page.evaluate(() => globalThis.document.documentElement.scrollWidth - globalThis.document.documentElement.clientWidth);
    if (overflow > 0) throw new Error(`the page is ${overflow} px wider than a phone`);
    await page.screenshot({ path: path.join(shots, 'console-phone.png'), fullPage: true });
  });

  await run.test('a server that requires signatures takes the .sig beside the bundle', async () => {
    const key = path.join(work, 'signing-key');
    execFileSync(bin, ['plugin', 'keygen', '--out', key], { stdio: 'pipe' });
    const signed = pack('com.example.signed', 'Signed Demo', '1.0.0', ['kv']);
    execFileSync(bin, ['plugin', 'sign', signed, '--key', key], { stdio: 'pipe' });
    const strict = new Server(bin, await freePort(), ['--enable-plugin-uploads', 'true', '--require-plugin-signature', 'true', '--plugin-signature-public-keys', `${key}.pub`]);
    await strict.start();
    try {
      const owner = await strict.createUser('owner');
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const p = await context.newPage();
      await p.goto(`${strict.url}/admin_console/plugins/plugin_management`);
      await p.getByLabel('Email or username').fill(owner.username);
      await p.getByLabel('Password').fill(owner.password);
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.getByLabel('Plugin bundle (.tar.gz)').setInputFiles(signed);
      await p.getByRole('button', { name: 'Upload' }).click();
      await p.getByRole('alert').filter({ hasText: 'Unable to verify plugin signature.' }).waitFor({ timeout: T });
      await p.getByLabel('Signature file (.sig)', { exact: false }).setInputFiles(`${signed}.sig`);
      await p.getByRole('button', { name: 'Upload' }).click();
      await p.getByRole('dialog', { name: 'Permissions of Signed Demo' }).waitFor({ timeout: T });
      await context.close();
    } finally {
      await strict.stop();
      strict.cleanup();
    }
  });

  await run.test('no page errors', async () => {
    if (pageErrors.length) throw new Error(pageErrors.join('\n'));
  });
} finally {
  await close();
  await server.stop();
  marketServer.close();
  server.cleanup();
  rmSync(work, { recursive: true, force: true });
}

if (!run.summary()) {
  console.log(server.log.split('\n').slice(-40).join('\n'));
  process.exit(1);
}
