// Every implementation of the primitives, for tests that prove they agree. In a browser (the
// Chromium suites) node:crypto does not exist: there the lists hold WebCrypto and @noble only.
import type { CryptoBackend, SyncCryptoBackend } from '../../src/index.js';
import { nobleBackend, webCryptoBackend } from '../../src/index.js';

const inNode = typeof process !== 'undefined' && process.versions?.node !== undefined;
const nodeOnly: SyncCryptoBackend[] = inNode ? [(await import('../../src/platform.node.js')).nodeBackend] : [];

/** node:crypto; in a browser, @noble stands in (the platform's synchronous backend there). */
export const nodeBackend: SyncCryptoBackend = nodeOnly[0] ?? nobleBackend;

/** node:crypto (in Node), WebCrypto and @noble. */
export const BACKENDS: readonly CryptoBackend[] = [...nodeOnly, webCryptoBackend, nobleBackend];
/** The synchronous ones: node:crypto (in Node) and @noble. */
export const SYNC_BACKENDS: readonly SyncCryptoBackend[] = [...nodeOnly, nobleBackend];
export { nobleBackend, webCryptoBackend };
