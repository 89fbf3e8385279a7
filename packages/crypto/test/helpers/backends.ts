// Every implementation of the primitives, for tests that prove they agree.
import type { CryptoBackend, SyncCryptoBackend } from '../../src/index.js';
import { nobleBackend, webCryptoBackend } from '../../src/index.js';
import { nodeBackend } from '../../src/platform.node.js';

/** node:crypto, WebCrypto and @noble. */
export const BACKENDS: readonly CryptoBackend[] = [nodeBackend, webCryptoBackend, nobleBackend];
/** The synchronous ones: node:crypto and @noble. */
export const SYNC_BACKENDS: readonly SyncCryptoBackend[] = [nodeBackend, nobleBackend];
export { nodeBackend, nobleBackend, webCryptoBackend };
