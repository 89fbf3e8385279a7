// Browsers, Deno, Bun, workers: WebCrypto for the asynchronous API (native speed), @noble for the
// synchronous API and wherever crypto.subtle is missing (pages not served over https).
import type { CryptoBackend, SyncCryptoBackend } from './backend.js';
import { nobleBackend } from './noble.js';
import { webCryptoAvailable, webCryptoBackend } from './webcrypto.js';

/** The backend of the asynchronous API on this platform: WebCrypto, or @noble without it. */
export function platformBackend(): CryptoBackend {
  return webCryptoAvailable() ? webCryptoBackend : nobleBackend;
}

/** The backend of the synchronous API on this platform: @noble. */
export function platformSyncBackend(): SyncCryptoBackend {
  return nobleBackend;
}

/** Which platform build is loaded: "node" or "browser". */
export const platformName: string = 'browser';
