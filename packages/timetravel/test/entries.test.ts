// The in-memory entry does not depend on the store: only `/persistence` imports it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';

const sourceOf = (file: string): string => readFileSync(new URL(`../src/${file}`, import.meta.url), 'utf8');

describe('entries', () => {
  it('the main entry exports no persistence function', () => {
    for (const name of ['saveTimeline', 'loadTimeline', 'savedTimelines', 'entryId', 'TIMELINE_FIELD']) expect(name in main).toBe(false);
    expect(typeof main.TimeTravel).toBe('function');
  });

  it('no source file but persistence.ts imports @tx2/pack-store', () => {
    const files = readdirSync(new URL('../src/', import.meta.url)).filter((f) => f.endsWith('.ts') && f !== 'persistence.ts');
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) expect(sourceOf(file)).not.toContain('@tx2/pack-store');
    expect(sourceOf('persistence.ts')).toContain('@tx2/pack-store');
  });
});
