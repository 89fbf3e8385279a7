import { isPackError } from '@tx2/pack-format';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as browser from '../src/platform.browser.js';
import {
  type CryptoBackend,
  EncryptionKey,
  encryptSnapshot,
  encryptSnapshotSync,
  nobleBackend,
  platformBackend,
  platformName,
  platformSyncBackend,
  sha256Sync,
  webCryptoAvailable,
  webCryptoBackend,
} from '../src/index.js';
import { nodeBackend } from './helpers/backends.js';
import { smallSnapshot } from './helpers/snapshots.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('platform selection', () => {
  it('uses node:crypto for both APIs on Node', () => {
    expect(platformName).toBe('node');
    expect(platformBackend()).toBe(nodeBackend);
    expect(platformSyncBackend()).toBe(nodeBackend);
  });

  it('uses WebCrypto (async) and @noble (sync) in the browser build', () => {
    expect(browser.platformName).toBe('browser');
    expect(webCryptoAvailable()).toBe(true);
    expect(browser.platformBackend().name).toBe('webcrypto');
    expect(browser.platformSyncBackend().name).toBe('noble');
  });

  it('falls back to @noble where crypto.subtle is missing (pages not served over https)', async () => {
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) });
    expect(webCryptoAvailable()).toBe(false);
    expect(browser.platformBackend().name).toBe('noble');
    const error = await Promise.resolve(webCryptoBackend.sha256(new Uint8Array(1))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPackError(error, 'Encryption')).toBe(true);
    expect((error as Error).message).toMatch(/crypto.subtle/);
  });

  it('says so when there is no secure random source', () => {
    vi.stubGlobal('crypto', undefined);
    expect(() => EncryptionKey.generate()).toThrow(/no secure random source/);
  });
});

describe('backend checks', () => {
  it('the sync API refuses an async-only backend with a clear error', () => {
    expect(() => sha256Sync(new Uint8Array(1), { backend: webCryptoBackend as never })).toThrow(/asynchronous only/);
    expect(() => encryptSnapshotSync(smallSnapshot(), EncryptionKey.generate(), { backend: {} as never })).toThrow(/backend must be a CryptoBackend/);
  });

  it('a failing backend becomes a PackError with the cause kept', async () => {
    const broken: CryptoBackend = {
      ...nobleBackend,
      name: 'broken',
      sync: false,
      seal: () => {
        throw new Error('hardware on fire');
      },
    };
    const error = await encryptSnapshot(smallSnapshot(), EncryptionKey.generate(), { backend: broken }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPackError(error, 'Encryption')).toBe(true);
    expect((error as Error).message).toMatch(/broken backend failed to seal: hardware on fire/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
