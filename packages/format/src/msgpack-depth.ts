// How deep MessagePack bytes nest, measured before they are decoded. @msgpack/msgpack bounds
// lengths but not depth, and deeply nested input is slow to decode (each level a state) and
// breaks whatever walks the result recursively. One pass over the bytes, no allocation per
// value: headers are read, payloads skipped.

/**
 * True when a value in `bytes` sits inside more than `maxDepth` containers (arrays, maps, and
 * the ext types in `wrappers`, whose data is one more MessagePack array that counts as the
 * same level: the blob Map and Set). Malformed or truncated input returns false: the decoder
 * reports it.
 */
export function nestsDeeperThan(bytes: Uint8Array, maxDepth: number, wrappers: readonly number[]): boolean {
  const n = bytes.length;
  // Each level costs at least one header byte: short input cannot nest too deep.
  if (n <= maxDepth + 1) return false;
  // Open containers: items still to read in each, and the depth of those items.
  const left: number[] = [1];
  const depthOf: number[] = [0];
  let pos = 0;
  while (left.length > 0) {
    const top = left.length - 1;
    const depth = depthOf[top]!;
    if (--left[top]! === 0) {
      left.pop();
      depthOf.pop();
    }
    if (pos >= n) return false;
    const head = bytes[pos++]!;
    let items = 0;
    let itemDepth = depth + 1;
    if (head < 0x80 || head >= 0xe0) continue; // fixint
    if (head < 0x90)
      items = 2 * (head & 0x0f); // fixmap
    else if (head < 0xa0)
      items = head & 0x0f; // fixarray
    else if (head < 0xc0) {
      pos += head & 0x1f; // fixstr
      continue;
    } else {
      // Sizes of the length field, the fixed payload, or the ext data, by head byte.
      let ext = -1;
      switch (head) {
        case 0xcc:
        case 0xd0:
          pos += 1;
          break;
        case 0xcd:
        case 0xd1:
          pos += 2;
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          pos += 4;
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          pos += 8;
          break;
        case 0xc4:
        case 0xd9:
          if (pos + 1 > n) return false;
          pos += 1 + bytes[pos]!;
          break;
        case 0xc5:
        case 0xda:
          if (pos + 2 > n) return false;
          pos += 2 + u16(bytes, pos);
          break;
        case 0xc6:
        case 0xdb:
          if (pos + 4 > n) return false;
          pos += 4 + u32(bytes, pos);
          break;
        case 0xdc:
          if (pos + 2 > n) return false;
          items = u16(bytes, pos);
          pos += 2;
          break;
        case 0xdd:
          if (pos + 4 > n) return false;
          items = u32(bytes, pos);
          pos += 4;
          break;
        case 0xde:
          if (pos + 2 > n) return false;
          items = 2 * u16(bytes, pos);
          pos += 2;
          break;
        case 0xdf:
          if (pos + 4 > n) return false;
          items = 2 * u32(bytes, pos);
          pos += 4;
          break;
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
          ext = 1 << (head - 0xd4); // fixext 1, 2, 4, 8, 16
          break;
        case 0xc7:
          if (pos + 1 > n) return false;
          ext = bytes[pos]!;
          pos += 1;
          break;
        case 0xc8:
          if (pos + 2 > n) return false;
          ext = u16(bytes, pos);
          pos += 2;
          break;
        case 0xc9:
          if (pos + 4 > n) return false;
          ext = u32(bytes, pos);
          pos += 4;
          break;
        default:
          break; // nil, false, true (and the unused 0xc1, which the decoder refuses)
      }
      if (ext >= 0) {
        if (pos >= n) return false;
        const type = (bytes[pos++]! << 24) >> 24; // ext types are signed
        if (wrappers.includes(type)) {
          // Read the data in place: one array at this same depth (anything else is malformed,
          // but counts as a level so that no chain of wrappers nests for free).
          items = 1;
          if (isArrayHead(bytes[pos])) itemDepth = depth;
        } else pos += ext;
      }
    }
    if (items > 0) {
      if (itemDepth > maxDepth) return true;
      left.push(items);
      depthOf.push(itemDepth);
    }
  }
  return false;
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function u32(bytes: Uint8Array, at: number): number {
  return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function isArrayHead(head: number | undefined): boolean {
  return head !== undefined && ((head >= 0x90 && head <= 0x9f) || head === 0xdc || head === 0xdd);
}
