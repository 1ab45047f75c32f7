// Browser-test harness: a real `confab` server on a loopback port with a temporary data
// directory, Debian's Chromium driven by playwright-core, a loopback integration, and a
// tiny test runner that prints `N passed, N failed`.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One `confab serve` process; `restart()` keeps the data directory and port. */
export class Server {
  constructor(bin, port, extraArgs = []) {
    this.bin = bin;
    this.port = port;
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), 'confab-web-'));
    this.extraArgs = extraArgs;
    this.url = `http://127.0.0.1:${port}`;
    this.log = '';
  }

  async start() {
    this.proc = spawn(this.bin, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir, ...this.extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' },
    });
    this.proc.stdout.on('data', (d) => (this.log += d));
    this.proc.stderr.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`confab exited early:\n${this.log}`);
      try {
        const r = await fetch(`${this.url}/api/v4/system/ping`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`confab did not answer within 30 s:\n${this.log}`);
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await Promise.race([exited, sleep(10000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }

  async restart() {
    await this.stop();
    await this.start();
  }

  cleanup() {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A REST call as `token` (or none); throws on an error status. */
  async api(method, route, token, body) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(`${this.url}/api/v4${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${route}: ${r.status} ${text}`);
    return { data: text ? JSON.parse(text) : null, token: r.headers.get('token') };
  }

  async createUser(username, password = 'password-123') {
    const { data: user } = await this.api('POST', '/users', null, { username, email: `${username}@example.com`, password });
    const { token } = await this.api('POST', '/users/login', null, { login_id: username, password });
    return { ...user, token, password };
  }
}

/** A loopback integration: answers action buttons and dialog submissions, opens dialogs. */
export class Integration {
  constructor() {
    this.handlers = {};
    this.requests = [];
  }

  async start() {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', async () => {
        let parsed = {};
        try {
          parsed = body.startsWith('{') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
        } catch {
          parsed = {};
        }
        this.requests.push({ path: req.url, body: parsed });
        const handler = this.handlers[req.url.split('?')[0]];
        const answer = handler ? await handler(parsed) : {};
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer ?? {}));
      });
    });
    await new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
  }

  stop() {
    this.server?.close();
  }
}

/** Chromium with the flags that work in a sandbox-less container, one profile per run. */
export async function launchBrowser() {
  // A fresh profile each run: playwright gives `launch` a temporary --user-data-dir of its
  // own (it refuses the flag in `args`) and removes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

/** A minimal runner: tests run in order, a failure does not stop the rest. */
export class Runner {
  constructor() {
    this.passed = 0;
    this.failed = 0;
    this.failures = [];
  }

  async test(name, fn) {
    const started = Date.now();
    try {
      await fn();
      this.passed += 1;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      this.failed += 1;
      this.failures.push(name);
      console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
  }

  summary() {
    console.log(`browser: ${this.passed} passed, ${this.failed} failed`);
    if (this.failures.length) console.log(`failed: ${this.failures.join('; ')}`);
    return this.failed === 0;
  }
}
