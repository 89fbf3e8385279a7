// Sealing one section frame (docs/format.md §12): the payload, as stored, is encrypted with
// AES-256-GCM under a fresh 96-bit nonce with AAD = header[0..124) ‖ u32 ordinal ‖
// descriptor[0..32) of the sealed descriptor (the table of contents is sealed last, with
// ordinal = number of sections). The sealed descriptor gets cipher 1, the nonce, the stored
// length plus the 16-byte tag, and no payload CRC (the tag is stronger; opening restores it).
import { CipherId, descriptorBytes, readDescriptor, type SectionFrame, SectionFlags } from '@tx2/pack-format';
import { sectionAad } from './aad.js';
import { TAG_LENGTH } from './backend.js';
import type { Op } from './run.js';

/** The sealed descriptor of a frame whose plain descriptor is `plain` and whose payload is `payloadLength` bytes. */
export function sealedDescriptor(plain: Uint8Array, payloadLength: number, nonce: Uint8Array): Uint8Array {
  const d = readDescriptor(plain, 0);
  return descriptorBytes({
    ...d,
    cipher: CipherId.Aes256Gcm,
    flags: d.flags & ~SectionFlags.PayloadChecksum,
    storedLength: payloadLength + TAG_LENGTH,
    payloadCrc: 0,
    nonce,
  });
}

/** The operation that seals `payload` at `ordinal` of the container whose encrypted header is `header`, into `out` (payload length + 16 bytes). */
export function sealOp(header: Uint8Array, ordinal: number, sealed: Uint8Array, payload: Uint8Array, key: Uint8Array, nonce: Uint8Array, out: Uint8Array): Op {
  return { kind: 'seal', key, nonce, data: payload, aad: sectionAad(header, ordinal, sealed), out };
}

/** A frame about to be sealed into its own new array: the sealed frame and the operation that fills its payload. */
export function prepareSeal(header: Uint8Array, ordinal: number, frame: SectionFrame, key: Uint8Array, nonce: Uint8Array): { frame: SectionFrame; op: Op } {
  const descriptor = sealedDescriptor(frame.descriptor, frame.payload.length, nonce);
  const payload = new Uint8Array(frame.payload.length + TAG_LENGTH);
  return { frame: { descriptor, payload }, op: sealOp(header, ordinal, descriptor, frame.payload, key, nonce, payload) };
}
