// Test inputs shared by the codec suites.
import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';

/** Deterministic pseudo-random bytes (mulberry32). */
export function randomBytes(length: number, seed = 1): Uint8Array {
  let a = seed | 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (t ^ (t >>> 14)) >>> 24;
  }
  return out;
}

/** Highly compressible bytes: a short repeating text with a counter. */
export function compressibleBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  const text = new TextEncoder().encode('tx2-pack compressible line of text; ');
  for (let i = 0; i < length; i++) out[i] = i % 997 === 0 ? (i / 997) & 0xff : text[i % text.length]!;
  return out;
}

/** A mixture like real sections: float columns, small integers, zeros and text. */
export function mixedBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  const quarter = Math.floor(length / 4) & ~3;
  const floats = new Float32Array(quarter / 4);
  const rand = randomBytes(quarter, 7);
  for (let i = 0; i < floats.length; i++) floats[i] = (rand[i]! - 128) * 7.25;
  out.set(new Uint8Array(floats.buffer), 0);
  for (let i = quarter; i < 2 * quarter; i++) out[i] = i % 5;
  out.set(compressibleBytes(length - 3 * quarter), 3 * quarter);
  return out;
}

/** True when the two arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A small world with float, integer and id data (entity ids with gaps, so sets are stored explicitly). */
export function sampleSnapshot(n = 2000): PackedSnapshot {
  const entities = new Uint32Array(n);
  const x = new Float32Array(n);
  const hp = new Uint16Array(n);
  const big = new BigUint64Array(n);
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    entities[i] = 3 * i + (i % 7);
    x[i] = Math.fround(Math.sin(i) * 1000);
    hp[i] = 100 - (i % 13);
    big[i] = BigInt(i) * 1_000_003n;
    flags[i] = i % 3;
  }
  const half = entities.filter((_, i) => i % 2 === 0);
  return createPackedSnapshot({
    entities,
    timestamp: 1_700_000_000_000,
    version: '1.0.0',
    components: [
      { id: 'Position', fields: { x } },
      { id: 'Stats', fields: { hp, big, flags } },
      { id: 'Tag', entityIds: half, fields: { v: new Float64Array(half.length).map((_, i) => i / 3) } },
    ],
  });
}

/** Byte-equality of two packed snapshots (columns compared byte for byte). */
export function snapshotBytesEqual(a: PackedSnapshot, b: PackedSnapshot): boolean {
  if (!sameBytes(u8(a.entities), u8(b.entities)) || a.components.length !== b.components.length) return false;
  return a.components.every((c, i) => {
    const d = b.components[i]!;
    if (c.id !== d.id || !sameBytes(u8(c.entityIds), u8(d.entityIds))) return false;
    if (c.layout !== 'columns' || d.layout !== 'columns') return c.layout === d.layout;
    return c.fields.every((f, j) => sameBytes(u8(f.values as ArrayBufferView), u8(d.fields[j]!.values as ArrayBufferView)));
  });
}

function u8(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
