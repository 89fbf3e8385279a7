import { describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, fromWorldSnapshot, toWorldSnapshot, type WorldSnapshot } from '../src/index.js';

describe('smoke', () => {
  it('round-trips a small world', () => {
    const world: WorldSnapshot = {
      timestamp: 1700000000000,
      version: '1.0.0',
      entities: [
        { id: 1, components: [{ id: 'Position', data: { x: 1.5, y: -0, z: NaN } }, { id: 'Name', data: { value: 'héllo' } }] },
        { id: 2, components: [{ id: 'Name', data: { value: 'b' } }, { id: 'Position', data: { x: 2, y: 3, z: Infinity } }] },
        { id: 7, components: [{ id: 'Inventory', data: { items: [1, 2, { a: undefined }], tags: new Set(['x']), when: new Date(5) } }] },
        { id: 9, components: [] },
      ],
    };
    const bytes = encodeSnapshot(fromWorldSnapshot(world));
    const back = toWorldSnapshot(decodeSnapshot(bytes));
    expect(back).toStrictEqual(world);
    expect(Object.is((back.entities[0]!.components[0]!.data as { y: number }).y, -0)).toBe(true);
  });
});
