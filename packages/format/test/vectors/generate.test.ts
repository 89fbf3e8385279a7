// Writes the test vectors. Skipped unless asked for:
//
//   TX2_WRITE_VECTORS=1 npx vitest run test/vectors/generate.test.ts
//
// Regenerate only on purpose (a format change), then review the diff of the .expected.json
// files: vectors.test.ts checks every later build against these committed bytes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSnapshot } from '../../src/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { expectedFor, VECTOR_DIR, VECTORS } from './vectors.js';

describe.skipIf(process.env.TX2_WRITE_VECTORS !== '1')('write test vectors', () => {
  it.each(Object.keys(VECTORS))('%s', (name) => {
    const bytes = encodeSnapshot(FIXTURES[name]!());
    writeFileSync(join(VECTOR_DIR, `${name}.tx2pack`), bytes);
    writeFileSync(join(VECTOR_DIR, `${name}.expected.json`), JSON.stringify(expectedFor(name, bytes), null, 2) + '\n');
    expect(bytes.length).toBeGreaterThan(0);
  });
});
