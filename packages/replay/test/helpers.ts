import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';
import type { CheckpointSource } from '../src/index.js';

/** A small world whose worldTime and single column identify it. */
export function world(t: number): PackedSnapshot {
  return createPackedSnapshot({
    entities: [1, 2],
    worldTime: t,
    components: [{ id: 'Position', fields: { x: new Float32Array([t, t + 1]) } }],
  });
}

/** An in-memory checkpoint source that counts loads. */
export function countingSource(n: number): CheckpointSource & { loads: string[] } {
  const loads: string[] = [];
  return {
    loads,
    async listCheckpoints() {
      return Array.from({ length: n }, (_, i) => ({ id: `c${i}` }));
    },
    async loadCheckpoint(id: string) {
      loads.push(id);
      await new Promise((r) => setTimeout(r, 1));
      return { snapshot: world(Number(id.slice(1))) };
    },
  };
}
