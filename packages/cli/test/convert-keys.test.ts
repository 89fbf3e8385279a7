import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, snapshotsEqual } from '@tx2/pack-format';
import { readOptions } from '@tx2/pack-codecs';
import { EncryptionKey, encryptionInfo } from '@tx2/pack-crypto';
import { referenceColumns } from '../src/reference-world.js';
import { hasStack, tempDir, tx2pack, tx2packJson } from './helpers.js';

const { dir, cleanup } = tempDir('convert');
const at = (name: string): string => path.join(dir, name);
const world = referenceColumns(300).packed;
const PASSPHRASE = 'correct horse battery staple';

async function decodeFile(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  return decodeSnapshot(bytes, await readOptions({ bytes }));
}

beforeAll(async () => {
  writeFileSync(at('plain.tx2pack'), encodeSnapshot(world));
  expect((await tx2pack(['keygen', at('a.key')])).code).toBe(0);
  expect((await tx2pack(['keygen', at('b.key')])).code).toBe(0);
  expect(statSync(at('a.key')).mode & 0o777).toBe(0o600); // owner-only
});
afterAll(cleanup);

describe('convert', () => {
  it('changes codec and level', async () => {
    const { code, data } = await tx2packJson(['convert', at('plain.tx2pack'), at('lz4.tx2pack'), '--codec', 'lz4', '--level', 'best']);
    expect(code).toBe(0);
    expect(data.codec).toEqual({ before: 'none', after: 'lz4' });
    expect(snapshotsEqual(await decodeFile(at('lz4.tx2pack')), world)).toBe(true);
  });

  it('refuses a bad level, an unknown codec and an existing output', async () => {
    const level = await tx2pack(['convert', at('plain.tx2pack'), at('x.tx2pack'), '--codec', 'zstd', '--level', '99']);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('zstd level must be an integer from 1 to 22');
    const codec = await tx2pack(['convert', at('plain.tx2pack'), at('x.tx2pack'), '--codec', 'brotli']);
    expect(codec.code).toBe(2);
    expect(codec.stderr).toContain('--codec must be one of none, lz4, zstd, deflate, gzip');
    const exists = await tx2pack(['convert', at('plain.tx2pack'), at('lz4.tx2pack')]);
    expect(exists.code).toBe(2);
    expect(exists.stderr).toContain('pass --force');
    for (const r of [level, codec, exists]) expect(hasStack(r.stderr)).toBe(false);
  });

  it('encrypts with a key file, decrypts with the right key, refuses a wrong or missing one', async () => {
    const enc = await tx2packJson(['convert', at('plain.tx2pack'), at('enc.tx2pack'), '--key-file', at('a.key')]);
    expect(enc.code).toBe(0);
    const key = EncryptionKey.fromHex(readFileSync(at('a.key'), 'utf8').trim());
    expect(encryptionInfo(new Uint8Array(readFileSync(at('enc.tx2pack'))))?.fingerprint).toBe(key.fingerprint);

    const ok = await tx2packJson(['verify', at('enc.tx2pack'), '--key-file', at('a.key')]);
    expect(ok.code).toBe(0);
    expect(ok.data).toMatchObject({ ok: true, encrypted: true, tagsChecked: true });

    const noKey = await tx2packJson(['verify', at('enc.tx2pack')]);
    expect(noKey.code).toBe(0);
    expect(noKey.data.tagsChecked).toBe(false);
    expect(noKey.stderr).toContain('authentication tags');
    expect(noKey.stderr).toContain('were not checked');

    const wrong = await tx2pack(['verify', at('enc.tx2pack'), '--key-file', at('b.key')]);
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toMatch(/^error: .*wrong key/);
    expect(hasStack(wrong.stderr)).toBe(false);

    const missing = await tx2pack(['export', at('enc.tx2pack')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('is encrypted');
    expect(missing.stderr).toContain('--key-file');

    const inspect = await tx2packJson(['inspect', at('enc.tx2pack')]);
    expect(inspect.code).toBe(0);
    expect(inspect.data).toMatchObject({ encrypted: true, contentsReadable: false, counts: { entities: 300, components: 3 } });
    expect(inspect.data.encryption.keyFingerprint).toBe(key.fingerprint);
    const inspectKey = await tx2packJson(['inspect', at('enc.tx2pack'), '--key-file', at('a.key')]);
    expect(inspectKey.data.components.map((c: { id: string }) => c.id)).toEqual(['Position', 'Velocity', 'Health']);

    const dec = await tx2pack(['convert', at('enc.tx2pack'), at('dec.tx2pack'), '--key-file', at('a.key'), '--decrypt']);
    expect(dec.code).toBe(0);
    expect(readFileSync(at('dec.tx2pack')).equals(readFileSync(at('plain.tx2pack')))).toBe(true);
  });

  it('re-keys, and detects a tampered encrypted file', async () => {
    const rekey = await tx2pack(['convert', at('enc.tx2pack'), at('rekeyed.tx2pack'), '--key-file', at('a.key'), '--new-key-file', at('b.key')]);
    expect(rekey.code).toBe(0);
    expect((await tx2pack(['verify', at('rekeyed.tx2pack'), '--key-file', at('b.key')])).code).toBe(0);
    expect((await tx2pack(['verify', at('rekeyed.tx2pack'), '--key-file', at('a.key')])).code).toBe(4);

    const bytes = new Uint8Array(readFileSync(at('rekeyed.tx2pack')));
    bytes[400]! ^= 0x01; // inside the first column's ciphertext
    writeFileSync(at('tampered.tx2pack'), bytes);
    const tampered = await tx2packJson(['verify', at('tampered.tx2pack'), '--key-file', at('b.key')]);
    expect(tampered.code).toBe(1);
    expect(tampered.data.failure.check).toBe('authentication tags');
    expect(tampered.data.failure.message).toMatch(/authenticat/);
  });

  it('takes a passphrase from TX2PACK_PASSPHRASE, never from the command line', async () => {
    const env = { TX2PACK_PASSPHRASE: PASSPHRASE };
    const enc = await tx2pack(['convert', at('plain.tx2pack'), at('pass.tx2pack'), '--passphrase'], { env });
    expect(enc.code).toBe(0);
    expect(encryptionInfo(new Uint8Array(readFileSync(at('pass.tx2pack'))))?.kdf?.algorithm).toBe('scrypt');
    expect((await tx2pack(['verify', at('pass.tx2pack'), '--passphrase'], { env })).code).toBe(0);
    const wrong = await tx2pack(['verify', at('pass.tx2pack'), '--passphrase'], { env: { TX2PACK_PASSPHRASE: 'not it' } });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('wrong passphrase');
    // No terminal and no variable: a clear usage error instead of a hanging prompt.
    const noTty = await tx2pack(['verify', at('pass.tx2pack'), '--passphrase']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('TX2PACK_PASSPHRASE');
    // The passphrase never appears in any output.
    for (const r of [enc, wrong]) expect(r.stdout + r.stderr).not.toContain(PASSPHRASE);
  });
});
