// CRC-32 in JavaScript, shared by both builds: Node uses it for tiny inputs, browsers for tiny
// inputs and until their WebAssembly is loaded.

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of zlib and gzip.
// Slicing-by-8: eight lookup tables let the loop consume 8 bytes per iteration, several
// times faster than the classic byte-at-a-time table loop.
const TABLES = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLES[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLES[n]!;
  for (let t = 1; t < 8; t++) {
    c = TABLES[c & 0xff]! ^ (c >>> 8);
    TABLES[t * 256 + n] = c;
  }
}

/** CRC-32 in JavaScript (slicing-by-8); the reference both faster paths are tested against. */
export function jsCrc32(bytes: Uint8Array, initial = 0): number {
  const T = TABLES;
  let crc = ~initial;
  let i = 0;
  const end8 = bytes.length - (bytes.length & 7);
  while (i < end8) {
    const a = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) ^ crc;
    crc =
      T[1792 + (a & 0xff)]! ^
      T[1536 + ((a >>> 8) & 0xff)]! ^
      T[1280 + ((a >>> 16) & 0xff)]! ^
      T[1024 + (a >>> 24)]! ^
      T[768 + bytes[i + 4]!]! ^
      T[512 + bytes[i + 5]!]! ^
      T[256 + bytes[i + 6]!]! ^
      T[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < bytes.length) crc = T[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
