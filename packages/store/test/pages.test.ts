// Chromium driven from Node with Playwright (run by `pnpm test:browser`, vitest.pages.config.ts):
// what only a real browser profile shows. A page bundled from test/pages/app.ts (esbuild) is
// served on localhost to a persistent context whose user-data-dir is a temporary directory.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeSnapshot, encodeSnapshot, getColumn, snapshotHash } from '@tx2/pack-format';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../../vitest.browser.js';
import { SnapshotMetadata, SnapshotStore } from '../src/index.js';
import { NodeFsBackend } from '../src/node.js';
import { world } from './pages/app.js';

/** `window.tx2` of the page, seen from Node. */
type PageApi = Record<string, (...args: unknown[]) => unknown>;

let server: Server;
let origin: string;
let profile: string;
let context: BrowserContext;
const temps: string[] = [];

async function launch(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: [...chromiumArgs], headless: true });
}

async function open(ctx: BrowserContext = context): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'tx2' in globalThis);
  return page;
}

/** Calls `window.tx2[method](...args)` in `page`. */
function call<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([m, a]) => (globalThis as unknown as { tx2: PageApi }).tx2[m]!(...a), [method, args] as const) as Promise<T>;
}

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL('./pages/app.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const script = bundle.outputFiles[0]!.text;
  // The README's browser example, bundled as a user's app would be.
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## In the browser')))![1]!;
  const exampleBundle = await build({
    stdin: { contents: example, resolveDir: new URL('..', import.meta.url).pathname, loader: 'js' },
    alias: { '@tx2/pack-store': new URL('../src/index.ts', import.meta.url).pathname },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  const exampleScript = exampleBundle.outputFiles[0]!.text;
  server = createServer((request, response) => {
    if (request.url === '/app.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (request.url === '/example.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(exampleScript);
    } else if (request.url === '/example') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>README example</title><script type="module" src="/example.js"></script>');
    } else {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>tx2-pack store</title><script type="module" src="/app.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  profile = await mkdtemp(path.join(tmpdir(), 'tx2-chromium-'));
  context = await launch();
});

afterAll(async () => {
  await context?.close();
  server?.close();
  await rm(profile, { recursive: true, force: true });
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('saves in a real Chromium profile', () => {
  it('a save survives a page reload and a browser restart (IndexedDB and OPFS)', async () => {
    const page = await open();
    await call(page, 'save', 'idb', 'reload', 'slot1', 7);
    await call(page, 'save', 'opfs', 'reload', 'slot1', 9);
    await page.reload();
    await page.waitForFunction(() => 'tx2' in globalThis);
    const expected = Array.from(getColumn(world(7), 'Position', 'x', 'f32'));
    expect(await call(page, 'load', 'idb', 'reload', 'slot1')).toEqual({ worldTime: 7, x: expected, label: 'tick 7' });
    expect((await call<{ worldTime: number }>(page, 'load', 'opfs', 'reload', 'slot1')).worldTime).toBe(9);
    await page.close();
    // The same profile directory, a new browser process.
    await context.close();
    context = await launch();
    const again = await open();
    expect(await call(again, 'load', 'idb', 'reload', 'slot1')).toEqual({ worldTime: 7, x: expected, label: 'tick 7' });
    expect((await call<{ worldTime: number }>(again, 'load', 'opfs', 'reload', 'slot1')).worldTime).toBe(9);
    await again.close();
  });

  it('two tabs writing one store under the Web Lock lose and tear nothing', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const count = 15;
    await Promise.all([call(a!, 'writeMany', 'tabs', 'A', count), call(b!, 'writeMany', 'tabs', 'B', count)]);
    const { log, slots } = await call<{ log: string[]; slots: Record<string, number> }>(a!, 'readAll', 'tabs');
    expect(log.length).toBe(2 * count);
    expect(new Set(log).size).toBe(2 * count);
    for (const tab of ['A', 'B']) {
      // Each tab's own entries in its own order.
      expect(log.filter((e) => e.startsWith(`${tab}:`))).toEqual(Array.from({ length: count }, (_, i) => `${tab}:${i}`));
      for (let i = 0; i < count; i++) expect(slots[`${tab}-${i}`]).toBe(i);
    }
    expect(Object.keys(slots).length).toBe(2 * count);
    await Promise.all([a!.close(), b!.close()]);
  });
});

describe('the README', () => {
  it('the browser example runs in Chromium and prints what it says', async () => {
    const page = await context.newPage();
    const lines: string[] = [];
    page.on('console', (message) => lines.push(message.text()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${origin}/example`);
    await expect.poll(() => lines.length, { timeout: 120_000 }).toBe(2);
    expect(errors).toEqual([]);
    expect(lines).toEqual(['Before the boss 3', '5']);
    await page.close();
  });
});

describe('bytes written in the browser and in Node are the same', () => {
  it('encodeSnapshot of one world gives identical bytes in Chromium and Node, and each decodes the other', async () => {
    const page = await open();
    for (const t of [0, 3.5, 12]) {
      const inBrowser = Buffer.from(await call<string>(page, 'encode', t), 'base64');
      const inNode = encodeSnapshot(world(t));
      expect(Buffer.compare(inBrowser, Buffer.from(inNode))).toBe(0);
      expect(decodeSnapshot(new Uint8Array(inBrowser)).worldTime).toBe(t);
      expect(await call(page, 'decode', Buffer.from(inNode).toString('base64'))).toEqual({ worldTime: t, x: Array.from(getColumn(world(t), 'Position', 'x', 'f32')) });
    }
    await page.close();
  });

  it('a store saved in IndexedDB opens in Node from its copied files, and a Node store opens in the browser', async () => {
    const page = await open();
    await call(page, 'save', 'idb', 'to-node', 'slot-b', 5);
    const files = await call<Record<string, string>>(page, 'files', 'idb', 'to-node');
    const dir = await mkdtemp(path.join(tmpdir(), 'tx2-from-browser-'));
    temps.push(dir);
    for (const [key, text] of Object.entries(files)) await writeFile(path.join(dir, key), Buffer.from(text, 'base64'));
    const inNode = await new SnapshotStore(new NodeFsBackend(dir)).load('slot-b');
    expect(inNode.metadata.name).toBe('tick 5');
    expect(Array.from(getColumn(inNode.snapshot, 'Position', 'x', 'f32'))).toEqual(Array.from(getColumn(world(5), 'Position', 'x', 'f32')));
    // And back: a store written by Node, copied file by file into IndexedDB.
    const nodeDir = await mkdtemp(path.join(tmpdir(), 'tx2-to-browser-'));
    temps.push(nodeDir);
    await new SnapshotStore(new NodeFsBackend(nodeDir)).save(world(8), new SnapshotMetadata('slot-n').withName('tick 8'));
    const nodeFiles: Record<string, string> = {};
    for (const key of await readdir(nodeDir)) if (!key.startsWith('.')) nodeFiles[key] = (await readFile(path.join(nodeDir, key))).toString('base64');
    await call(page, 'putFiles', 'idb', 'from-node', nodeFiles);
    expect(await call(page, 'load', 'idb', 'from-node', 'slot-n')).toEqual({ worldTime: 8, x: Array.from(getColumn(world(8), 'Position', 'x', 'f32')), label: 'tick 8' });
    // Store files carry a random save id and the save's metadata, so two saves never match byte
    // for byte; their content does, bit for bit (the content hash covers every value and id).
    expect(Buffer.from(snapshotHash(inNode.snapshot)).toString('hex')).toBe(Buffer.from(snapshotHash(world(5))).toString('hex'));
    await page.close();
  });
});
