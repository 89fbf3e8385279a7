import { toHex } from '@tx2/pack-format';

/** A new random save id: 12 bytes from the platform's CSPRNG (WebCrypto `getRandomValues`, also in Node ≥ 20), as hex. */
export function newSaveId(): string {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(12)));
}
