import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';

/** A small deterministic world: Position (f32 x3), Health (f64), Name (string) on a sparse subset, one blob-free. */
export function makeWorld(n: number, seed = 1): PackedSnapshot {
  const ids = new Uint32Array(n);
  for (let i = 0; i < n; i++) ids[i] = i * 3 + 1;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const hp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.fround(Math.sin(i + seed) * 100);
    y[i] = Math.fround(i * 0.5 + seed);
    hp[i] = 100 - (i % 7) + seed;
  }
  const named = ids.filter((_, i) => i % 2 === 0);
  return createPackedSnapshot({
    entities: ids,
    timestamp: 1_700_000_000_000 + seed,
    version: '1.0.0',
    worldTime: seed * 10,
    schemaVersion: 2,
    metadata: { level: `level-${seed}` },
    components: [
      { id: 'Position', fields: { x, y } },
      { id: 'Health', fields: { hp } },
      { id: 'Name', entityIds: named, fields: { name: Array.from(named, (id) => `entity-${id}`) } },
    ],
  });
}
