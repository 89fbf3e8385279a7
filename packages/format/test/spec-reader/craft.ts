// Builds variants of a committed vector for the crafted-case tests: the frames of a container
// taken apart, changed, and laid out again as docs/format.md sections 3 and 7 say (CRCs,
// padding, table of contents and trailer recomputed), so each variant breaks one rule only.
import { crc32 } from './crc32.js';

/** One section frame: its 64-byte descriptor and its stored payload. */
export interface Frame {
  desc: Uint8Array;
  payload: Uint8Array;
}

/** The header and the frames (TOC excluded) of a container. */
export function takeApart(bytes: Uint8Array): { header: Uint8Array; frames: Frame[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  for (let at = 128; view.getUint16(at, true) !== 6; ) {
    const n = Number(view.getBigUint64(at + 32, true));
    frames.push({ desc: bytes.slice(at, at + 64), payload: bytes.slice(at + 64, at + 64 + n) });
    at += 64 + Math.ceil(n / 8) * 8;
  }
  return { header: bytes.slice(0, 128), frames };
}

/** A descriptor of `kind` for `owner` (0xFFFFFFFF for none). */
export function descriptor(kind: number, owner = 0xffffffff, rowCount = 0): Uint8Array {
  const d = new Uint8Array(64);
  const view = new DataView(d.buffer);
  view.setUint16(0, kind, true);
  view.setUint32(8, owner, true);
  view.setUint32(12, 0xffffffff, true);
  view.setUint32(20, rowCount, true);
  return d;
}

/** Lay frames out after `header`; lengths follow the payloads unless the descriptor has a codec. */
export function layOut(header: Uint8Array, frames: Frame[], options: { tocRowCount?: number; tocCipher?: number } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const h = header.slice();
  new DataView(h.buffer).setUint32(124, crc32(h.subarray(0, 124)), true);
  parts.push(h);
  const toc = new Uint8Array(72 * frames.length);
  const tocView = new DataView(toc.buffer);
  let offset = 128;
  frames.forEach((f, i) => {
    const d = f.desc.slice();
    const view = new DataView(d.buffer);
    view.setBigUint64(32, BigInt(f.payload.length), true);
    if (d[2] === 0) view.setBigUint64(24, BigInt(f.payload.length), true);
    if (d[5]! & 1) view.setUint32(40, crc32(f.payload), true);
    view.setUint32(60, crc32(d.subarray(0, 60)), true);
    const frame = new Uint8Array(64 + Math.ceil(f.payload.length / 8) * 8);
    frame.set(d);
    frame.set(f.payload, 64);
    tocView.setBigUint64(72 * i, BigInt(offset), true);
    toc.set(d, 72 * i + 8);
    offset += frame.length;
    parts.push(frame);
  });
  const tocDesc = descriptor(6, 0xffffffff, options.tocRowCount ?? frames.length);
  const tocDescView = new DataView(tocDesc.buffer);
  tocDesc[4] = options.tocCipher ?? 0;
  tocDescView.setBigUint64(24, BigInt(toc.length), true);
  tocDescView.setBigUint64(32, BigInt(toc.length), true);
  tocDescView.setUint32(60, crc32(tocDesc.subarray(0, 60)), true);
  parts.push(tocDesc, toc);
  const trailer = new Uint8Array(64);
  const trailerView = new DataView(trailer.buffer);
  trailerView.setBigUint64(0, BigInt(offset), true);
  trailerView.setUint32(8, frames.length, true);
  trailerView.setUint32(52, crc32(trailer.subarray(0, 52)), true);
  trailer.set([0x54, 0x58, 0x32, 0x50, 0x45, 0x4e, 0x44, 0x00], 56);
  parts.push(trailer);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
