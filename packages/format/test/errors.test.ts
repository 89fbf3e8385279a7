// PackError, isPackError across module copies, and the error codes of bad input.
import { describe, expect, it, vi } from 'vitest';
import {
  createPackedSnapshot,
  crc32,
  decodeBlob,
  decodeSnapshot,
  encodeBlob,
  encodeSnapshot,
  FORMAT_VERSION,
  fromWorldSnapshot,
  isPackError,
  PackError,
  PackErrorCode,
  readHeader,
  type FieldType,
  type PackedSnapshot,
  type WorldSnapshot,
} from '../src/index.js';
import { FIXTURES } from './helpers/fixtures.js';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectPackError(fn: () => unknown, code: PackErrorCode, message?: RegExp): PackError {
  const error = thrown(fn);
  if (!isPackError(error)) throw new Error(`expected a PackError ${code}, got ${String(error)}`, { cause: error });
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('PackError', () => {
  it('carries code, message, cause and details', () => {
    const cause = new RangeError('inner');
    const error = new PackError('InvalidFormat', 'bad bytes', { cause, details: { offset: 12 } });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(PackError);
    expect(error.name).toBe('PackError');
    expect(error.code).toBe('InvalidFormat');
    expect(error.message).toBe('bad bytes');
    expect(error.cause).toBe(cause);
    expect(error.details).toStrictEqual({ offset: 12 });
    expect(error.stack).toContain('bad bytes');
  });

  it('has empty details and no cause by default', () => {
    const error = new PackError('Io', 'disk full');
    expect(error.details).toStrictEqual({});
    expect('cause' in error).toBe(false);
  });

  it('lists stable codes whose values are their names', () => {
    for (const [name, value] of Object.entries(PackErrorCode)) expect(value).toBe(name);
    expect(Object.keys(PackErrorCode)).toEqual(
      expect.arrayContaining(['InvalidFormat', 'VersionMismatch', 'ChecksumMismatch', 'Truncated', 'SchemaMismatch', 'InvalidInput', 'Serialization']),
    );
  });

  it('the brand is not enumerable and not a string key', () => {
    const error = new PackError('Truncated', 'short');
    expect(Object.keys(error)).not.toContain('@tx2/pack-format/PackError');
    expect(Object.getOwnPropertySymbols(error)).toStrictEqual([Symbol.for('@tx2/pack-format/PackError')]);
    expect(Object.getOwnPropertyDescriptor(error, Symbol.for('@tx2/pack-format/PackError'))?.enumerable).toBe(false);
  });
});

describe('isPackError', () => {
  it('accepts PackErrors, optionally of one code', () => {
    const error = new PackError('Truncated', 'short');
    expect(isPackError(error)).toBe(true);
    expect(isPackError(error, 'Truncated')).toBe(true);
    expect(isPackError(error, 'InvalidFormat')).toBe(false);
  });

  // vi.resetModules gives a second module instance in Node only; a browser page keeps one module graph.
  it.skipIf('document' in globalThis)('recognises a PackError from a second copy of the module', async () => {
    vi.resetModules();
    const second = (await import('../src/errors.js')) as typeof import('../src/errors.js');
    expect(second.PackError).not.toBe(PackError);
    const foreign = new second.PackError('ChecksumMismatch', 'from the other copy');
    expect(foreign instanceof PackError).toBe(false); // why a brand is needed
    expect(isPackError(foreign)).toBe(true);
    expect(isPackError(foreign, 'ChecksumMismatch')).toBe(true);
    expect(isPackError(foreign, 'Io')).toBe(false);
    expect(second.isPackError(new PackError('Io', 'this copy'))).toBe(true);
  });

  it('recognises any object carrying the registered brand', () => {
    const branded = { code: 'WrongKey', message: 'x' } as Record<string | symbol, unknown>;
    Object.defineProperty(branded, Symbol.for('@tx2/pack-format/PackError'), { value: true });
    expect(isPackError(branded)).toBe(true);
    expect(isPackError(branded, 'WrongKey')).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['an Error named PackError with a code', Object.assign(new Error('x'), { name: 'PackError', code: 'InvalidFormat' })],
    ['a look-alike object', { name: 'PackError', code: 'InvalidFormat', message: 'x', details: {} }],
    ['an object with a brand that is not true', { [Symbol.for('@tx2/pack-format/PackError')]: 1, code: 'Io' }],
    ['an unregistered symbol of the same name', { [Symbol('@tx2/pack-format/PackError')]: true, code: 'Io' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'PackError'],
    ['a number', 42],
  ])('rejects %s', (_, value) => {
    expect(isPackError(value)).toBe(false);
  });
});

describe('VersionMismatch', () => {
  const withVersion = (version: number, fixCrc = true): Uint8Array => {
    const bytes = encodeSnapshot(FIXTURES['reference-world-16']!());
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    view.setUint16(8, version, true);
    if (fixCrc) view.setUint32(124, crc32(bytes.subarray(0, 124)), true);
    return bytes;
  };

  it('a file of version 2 names both versions', () => {
    const error = expectPackError(() => decodeSnapshot(withVersion(2)), 'VersionMismatch');
    expect(error.message).toContain('version 2');
    expect(error.message).toContain(`1 to ${FORMAT_VERSION}`);
    expect(error.details).toStrictEqual({ expected: FORMAT_VERSION, actual: 2 });
    expectPackError(() => readHeader(withVersion(2)), 'VersionMismatch');
  });

  it('is reported before the header checksum, and for 0 and 65535 too', () => {
    expectPackError(() => decodeSnapshot(withVersion(2, false)), 'VersionMismatch');
    expectPackError(() => decodeSnapshot(withVersion(0)), 'VersionMismatch', /version 0/);
    expectPackError(() => decodeSnapshot(withVersion(0xffff)), 'VersionMismatch', /version 65535/);
  });

  it('version 1 with the CRC fixed up is the original file', () => {
    expect(decodeSnapshot(withVersion(1))).toStrictEqual(decodeSnapshot(encodeSnapshot(FIXTURES['reference-world-16']!())));
  });
});

describe('invalid input to fromWorldSnapshot', () => {
  const world = (entities: unknown): WorldSnapshot => ({ timestamp: 0, version: '', entities }) as WorldSnapshot;

  it('duplicate entity ids', () => {
    expectPackError(
      () =>
        fromWorldSnapshot(
          world([
            { id: 3, components: [] },
            { id: 1, components: [] },
            { id: 3, components: [] },
          ]),
        ),
      'InvalidInput',
      /entity id 3 appears twice/,
    );
    expectPackError(
      () =>
        fromWorldSnapshot(
          world([
            { id: 5, components: [] },
            { id: 5, components: [] },
          ]),
        ),
      'InvalidInput',
      /appears twice/,
    );
  });

  it('a component twice on one entity', () => {
    const data = { x: 1 };
    expectPackError(
      () =>
        fromWorldSnapshot(
          world([
            {
              id: 9,
              components: [
                { id: 'P', data },
                { id: 'Q', data },
                { id: 'P', data },
              ],
            },
          ]),
        ),
      'InvalidInput',
      /entity 9 has component "P" twice/,
    );
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['2^32', 2 ** 32],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a numeric string', '7'],
    ['a bigint', 7n],
    ['null', null],
    ['-0 is accepted as 0', -0],
  ])('entity id %s', (name, id) => {
    if (name.startsWith('-0')) {
      expect(fromWorldSnapshot(world([{ id, components: [] }])).entities).toStrictEqual(Uint32Array.from([0]));
      return;
    }
    expectPackError(
      () =>
        fromWorldSnapshot(
          world([
            { id: 1, components: [] },
            { id, components: [] },
          ]),
        ),
      'InvalidInput',
      /entity 1 has id .*integers from 0 to 4294967295/,
    );
  });

  it.each([
    ['not an object', null],
    ['no entities array', { timestamp: 0, version: '' }],
  ])('a world that is %s', (_, value) => {
    expectPackError(() => fromWorldSnapshot(value as unknown as WorldSnapshot), 'InvalidInput');
  });

  it('an entity without a components array, or a component without a string id', () => {
    expectPackError(() => fromWorldSnapshot(world([{ id: 1 }])), 'InvalidInput', /entity 1 has no components array/);
    expectPackError(() => fromWorldSnapshot(world([{ id: 1, components: [{ id: 5, data: 1 }] }])), 'InvalidInput', /no string id/);
    expectPackError(() => fromWorldSnapshot(world([{ id: 1, components: [null] }])), 'InvalidInput', /no string id/);
  });

  it('a schema with an unknown field type', () => {
    expectPackError(
      () => fromWorldSnapshot(world([{ id: 1, components: [{ id: 'A', data: { x: 1 } }] }]), { schema: { A: { x: 'f16' as FieldType } } }),
      'InvalidInput',
      /unknown type "f16"/,
    );
  });
});

describe('invalid input to encodeSnapshot', () => {
  const base = (): PackedSnapshot => createPackedSnapshot({ timestamp: 1, entities: [1, 2], components: [{ id: 'A', fields: { x: Float32Array.from([1, 2]) } }] });

  const cases: [string, (p: PackedSnapshot) => void, RegExp][] = [
    ['entities that are not a Uint32Array', (p) => (p.entities = [1, 2] as unknown as Uint32Array), /entities must be a Uint32Array/],
    ['a column of the wrong length', (p) => ((p.components[0] as { fields: { values: unknown }[] }).fields[0]!.values = new Float32Array(3)), /3 values for 2 entities/],
    [
      'a column of the wrong class',
      (p) => ((p.components[0] as { fields: { values: unknown }[] }).fields[0]!.values = new Float64Array(2)),
      /declared f32 but its values are not a Float32Array/,
    ],
    ['an unknown field type', (p) => ((p.components[0] as { fields: { type: unknown }[] }).fields[0]!.type = 'f16'), /unknown type "f16"/],
    ['a repeated field name', (p) => (p.components[0] as { fields: unknown[] }).fields.push({ name: 'x', type: 'f32', values: new Float32Array(2) }), /repeated field name "x"/],
    ['a component twice', (p) => p.components.push({ ...p.components[0]! }), /component "A" appears twice/],
    ['entityIds that are not a Uint32Array', (p) => (p.components[0]!.entityIds = [1, 2] as unknown as Uint32Array), /entityIds must be a Uint32Array/],
    ['an unknown layout', (p) => ((p.components[0] as { layout: string }).layout = 'rows'), /unknown layout "rows"/],
    ['blobs of the wrong count', (p) => p.components.push({ id: 'B', layout: 'blobs', entityIds: p.entities, blobs: [new Uint8Array(1)] }), /one blob per entity/],
    [
      'a blob that is not bytes',
      (p) => p.components.push({ id: 'B', layout: 'blobs', entityIds: p.entities, blobs: [new Uint8Array(1), 'x' as unknown as Uint8Array] }),
      /blob 1 is not a Uint8Array/,
    ],
    ['a componentOrder naming an unknown component', (p) => (p.componentOrder = new Map([[1, ['A', 'Z']]])), /names unknown component "Z"/],
    ['a timestamp that is not a number', (p) => (p.timestamp = '1' as unknown as number), /must be numbers/],
    ['a version that is not a string', (p) => (p.version = 1 as unknown as string), /version must be a string/],
    ['metadata that is null', (p) => (p.metadata = null as unknown as Record<string, unknown>), /metadata must be a plain object/],
  ];

  it.each(cases)('%s', (_, mutate, message) => {
    const p = base();
    mutate(p);
    expectPackError(() => encodeSnapshot(p), 'InvalidInput', message);
  });

  it('a string column holding a non-string, and a bytes column holding a non-Uint8Array', () => {
    expectPackError(
      () => encodeSnapshot(createPackedSnapshot({ entities: [1, 2], components: [{ id: 'S', fields: { s: ['a', 5 as unknown as string] } }] })),
      'InvalidInput',
      /non-string at row 1/,
    );
    expectPackError(
      () => encodeSnapshot(createPackedSnapshot({ entities: [1], components: [{ id: 'B', fields: { b: [[1] as unknown as Uint8Array] }, types: { b: 'bytes' } }] })),
      'InvalidInput',
      /non-Uint8Array at row 0/,
    );
  });

  it.each([
    ['a lone high surrogate', '\uD800'],
    ['a lone low surrogate', 'a\uDC00b'],
    ['a reversed pair', '\uDC00\uD800'],
    ['a lone surrogate after 40 ASCII characters', `${'x'.repeat(40)}\uD83D`],
  ])('a string column holding %s', (_, bad) => {
    const p = createPackedSnapshot({ entities: [1, 2], components: [{ id: 'S', fields: { s: ['fine 😀', bad] } }] });
    expectPackError(() => encodeSnapshot(p), 'InvalidInput', /lone UTF-16 surrogate at row 1/);
  });

  it('a lone surrogate in world data is never a string column (it becomes a blob)', () => {
    const p = fromWorldSnapshot({ timestamp: 0, version: '', entities: [{ id: 1, components: [{ id: 'S', data: { s: '\uD800' } }] }] });
    expect(p.components[0]!.layout).toBe('blobs');
  });

  // Regression test for a bug the suite found (fixed in src).
  it('a field type named like an Object.prototype member is InvalidInput', () => {
    expectPackError(() => createPackedSnapshot({ entities: [1], components: [{ id: 'A', fields: { x: ['a'] }, types: { x: 'toString' as FieldType } }] }), 'InvalidInput');
  });

  it('a schema field type named like an Object.prototype member is InvalidInput', () => {
    const w: WorldSnapshot = { timestamp: 0, version: '', entities: [{ id: 1, components: [{ id: 'A', data: { x: 1 } }] }] };
    expectPackError(() => fromWorldSnapshot(w, { schema: { A: { x: 'constructor' as FieldType } } }), 'InvalidInput');
  });
});

describe('Serialization errors in blob data', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  let deep: unknown = 1;
  for (let i = 0; i < 300; i++) deep = [deep];

  it.each([
    ['a function', { f: () => 1 }, /function cannot be stored/],
    ['a symbol', { s: Symbol('x') }, /symbol cannot be stored/],
    ['a function inside a Map', new Map([['k', () => 1]]), /function/],
    ['a symbol inside a Set', new Set([Symbol.iterator]), /symbol/],
    ['a function in an array', [1, function named() {}], /function/],
    ['a cycle', cyclic, /deeper than 256 levels \(or is cyclic\)/],
    ['nesting deeper than 256 levels', deep, /deeper than 256/],
    ['a DataView', { v: new DataView(new ArrayBuffer(4)) }, /DataView cannot be stored/],
    ['a "__proto__" key in a blob', { x: [1], nested: JSON.parse('{"ok": 1, "__proto__": 2}') as unknown }, /"__proto__" cannot be stored/],
  ])('%s', (_, value, message) => {
    expectPackError(() => encodeBlob(value), 'Serialization', message);
    // and through the world path, where such data becomes a blob
    expectPackError(() => fromWorldSnapshot({ timestamp: 0, version: '', entities: [{ id: 1, components: [{ id: 'C', data: value }] }] }), 'Serialization');
  });

  it('a function in world metadata fails at encode time', () => {
    const p = createPackedSnapshot({ entities: [], metadata: { f: () => 1 } });
    expectPackError(() => encodeSnapshot(p), 'Serialization');
  });

  it('nesting of exactly 256 levels is fine', () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < 256; i++) value = [value];
    expect(decodeBlob(encodeBlob(value))).toStrictEqual(value);
  });
});

describe('invalid input to the decoder', () => {
  it.each([
    ['a string', 'TX2PACK'],
    ['an ArrayBuffer', new ArrayBuffer(1024)],
    ['a number array', [0x54, 0x58]],
    ['null', null],
  ])('%s is InvalidInput', (_, value) => {
    expectPackError(() => decodeSnapshot(value as unknown as Uint8Array), 'InvalidInput', /expects a Uint8Array/);
  });

  it('empty, foreign and short inputs are InvalidFormat or Truncated', () => {
    expectPackError(() => decodeSnapshot(new Uint8Array(0)), 'InvalidFormat', /not a tx2-pack snapshot/);
    expectPackError(() => decodeSnapshot(new TextEncoder().encode('PK\u0003\u0004 a zip file, not a snapshot at all')), 'InvalidFormat');
    expectPackError(() => decodeSnapshot(Uint8Array.from([0x54, 0x58, 0x32, 0x50, 0x41, 0x43, 0x4b, 0x00, 1])), 'Truncated');
  });

  it('decodeBlob of garbage is InvalidFormat with the cause attached', () => {
    const error = expectPackError(() => decodeBlob(Uint8Array.from([0xc1])), 'InvalidFormat', /not valid MessagePack/);
    expect(error.cause).toBeInstanceOf(Error);
    expectPackError(() => decodeBlob(Uint8Array.from([0x92, 0x01])), 'InvalidFormat');
    expectPackError(() => decodeBlob(new Uint8Array(0)), 'InvalidFormat');
  });
});
