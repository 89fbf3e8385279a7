// Drives the example page in headless Chromium like a player would: run the simulation, save to a
// slot, reload the page, load the slot, scrub back in time, fork, and take a screenshot. The
// simulation is deterministic, so every state the page shows is checked against the same
// simulation run here in Node: what the browser saved, loaded and rebuilt is bit for bit right.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../../vitest.browser.js';
// @ts-expect-error: a plain JavaScript module without declarations
import { serve } from '../serve.mjs';
import { createWorld, fingerprint, step } from '../src/simulation.js';

/** The fingerprint of the page's world after `ticks` ticks, computed in Node. */
function expectedAt(ticks: number): string {
  const world = createWorld(400, 42);
  for (let i = 0; i < ticks; i++) step(world);
  return fingerprint(world);
}

interface PageState {
  tick: number;
  fingerprint: string;
  timeline: string;
  frames: number;
}

const state = (page: Page): Promise<PageState> =>
  page.evaluate(async () => {
    const api = (globalThis as unknown as { browserSave: { idle(): Promise<void>; state(): PageState } }).browserSave;
    await api.idle();
    return api.state();
  });
const checkpointCount = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    const api = (globalThis as unknown as { browserSave: { idle(): Promise<void>; checkpoints(): Promise<number> } }).browserSave;
    await api.idle();
    return api.checkpoints();
  });

describe('the browser-save example in Chromium', () => {
  let server: { url: string; close(): Promise<void> };
  let context: BrowserContext;
  let page: Page;
  const profile = mkdtempSync(path.join(tmpdir(), 'tx2-browser-save-'));
  const errors: string[] = [];

  beforeAll(async () => {
    server = await serve();
    // A persistent profile: IndexedDB outlives a reload, as in a real browser.
    context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, args: [...chromiumArgs], headless: true });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]');
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('runs the simulation and checkpoints every tick in IndexedDB', async () => {
    for (let i = 0; i < 3; i++) await page.click('#step');
    const now = await state(page);
    expect(now).toMatchObject({ tick: 30, fingerprint: expectedAt(30), timeline: 'main', frames: 30 });
    expect(await checkpointCount(page)).toBe(30);
  });

  it('saves to a slot that survives a page reload', async () => {
    await page.click('#save-slot-1');
    await page.click('#step');
    expect((await state(page)).tick).toBe(40);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#slots')).toContain('slot-1: tick 30');
    await page.click('#load-slot-1');
    expect(await state(page)).toMatchObject({ tick: 30, fingerprint: expectedAt(30) });
    // The checkpoint chain of the first visit is still there too.
    expect(await checkpointCount(page)).toBe(40);
  });

  it('scrubs back in time and forks from there', async () => {
    for (let i = 0; i < 2; i++) await page.click('#step');
    expect(await state(page)).toMatchObject({ tick: 50, fingerprint: expectedAt(50) });
    await page.locator('#scrub').fill('37');
    expect(await state(page)).toMatchObject({ tick: 37, fingerprint: expectedAt(37), timeline: 'main' });
    await page.click('#fork');
    await page.click('#step');
    expect(await state(page)).toMatchObject({ tick: 47, fingerprint: expectedAt(47), timeline: 'fork-1' });
    // The main timeline still ends at tick 50.
    await page.locator('#scrub').fill('47');
    expect((await state(page)).timeline).toBe('fork-1');
  });

  it('renders the page (screenshot) with no errors in the console', async () => {
    // Kept in test-results/ (not committed) for a human to look at.
    const file = path.join(import.meta.dirname, '..', 'test-results', 'browser-save.png');
    mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(5_000);
    expect(errors).toStrictEqual([]);
  });
});
