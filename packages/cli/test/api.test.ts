// The programmatic API of the built package: run(argv, io) and the reference world entry.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSnapshot } from '@tx2/pack-format';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir('api');
afterAll(cleanup);

function capture(): { stream: { write(text: string): boolean; isTTY: boolean }; text: () => string } {
  let text = '';
  return {
    stream: {
      write: (t: string) => {
        text += t;
        return true;
      },
      isTTY: false,
    },
    text: () => text,
  };
}

describe('the programmatic API', () => {
  it('run() returns the exit code and writes where it is told', async () => {
    // The built files at run time (typed from the sources: typecheck may run before this package is built).
    const api = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof import('../src/index.js');
    const reference = (await import(new URL('../dist/reference-world.js', import.meta.url).href)) as typeof import('../src/reference-world.js');
    const file = path.join(dir, 'w.tx2pack');
    writeFileSync(file, encodeSnapshot(reference.referenceColumns(10).packed));
    const out = capture();
    const err = capture();
    expect(await api.run(['inspect', file, '--json'], { stdout: out.stream, stderr: err.stream })).toBe(api.ExitCode.Ok);
    expect(JSON.parse(out.text()).counts.entities).toBe(10);
    const exported = capture();
    expect(await api.run(['export', file], { stdout: exported.stream, stderr: err.stream })).toBe(0);
    expect(JSON.parse(exported.text()).entities).toHaveLength(10);
    const missing = capture();
    expect(await api.run(['verify', path.join(dir, 'none.tx2pack')], { stdout: out.stream, stderr: missing.stream })).toBe(api.ExitCode.NotFound);
    expect(missing.text()).toMatch(/^error: no such file/);
    expect(reference.referenceWorld(3).entities[2]?.id).toBe(3);
  });
});
