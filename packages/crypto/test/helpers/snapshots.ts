// Small snapshots for the crypto tests, built through the public API of @tx2/pack-format.
import { createPackedSnapshot, encodeSnapshot, type EncodeOptions, type PackedSnapshot } from '@tx2/pack-format';

/** A small world: three components (one with a string column), entity metadata, world metadata. */
export function smallPacked(n = 5): PackedSnapshot {
  const ids = Uint32Array.from({ length: n }, (_, i) => 10 + i * 3);
  return createPackedSnapshot({
    entities: ids,
    timestamp: 1_700_000_000_000,
    version: '2.0.0',
    worldTime: 12.5,
    metadata: { level: 'castle' },
    components: [
      { id: 'Position', fields: { x: Float32Array.from(ids, (v) => v * 0.5), y: Float32Array.from(ids, (v) => -v) } },
      { id: 'Health', entityIds: ids.subarray(0, Math.ceil(n / 2)), fields: { hp: Uint16Array.from({ length: Math.ceil(n / 2) }, (_, i) => 100 - i) } },
      { id: 'Secret', fields: { name: Array.from(ids, (v) => `agent-${v}`) } },
    ],
    entityMetadata: new Map([[ids[0]!, { created: 1, tags: ['boss'] }]]),
  });
}

/** The bytes of {@link smallPacked}. */
export function smallSnapshot(n = 5, options: EncodeOptions = {}): Uint8Array {
  return encodeSnapshot(smallPacked(n), options);
}
