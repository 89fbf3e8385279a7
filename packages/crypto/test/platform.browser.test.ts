// In a browser the package loads its browser build: WebCrypto for the asynchronous API (the page is
// served from localhost, a secure context) and @noble for the synchronous one.
import { describe, expect, it } from 'vitest';
import { nobleBackend, platformBackend, platformName, platformSyncBackend, webCryptoBackend } from '../src/index.js';

describe('the browser platform', () => {
  it('is the browser build, with WebCrypto for async work and @noble for sync work', () => {
    expect(platformName).toBe('browser');
    expect(platformBackend()).toBe(webCryptoBackend);
    expect(platformSyncBackend()).toBe(nobleBackend);
  });
});
