import { createPackedSnapshot, type PackedSnapshot } from '@tx2/pack-format';

/** A small world identified by `tag`, with typed-array columns. */
export function world(tag: number): PackedSnapshot {
  return createPackedSnapshot({
    entities: [1, 2, 3],
    worldTime: tag,
    components: [{ id: 'Position', fields: { x: new Float32Array([tag, tag + 1, tag + 2]), y: new Float64Array([tag * 2, 0, -1]) } }],
  });
}

/** The tag of a world built by {@link world}. */
export function tagOf(snapshot: PackedSnapshot | undefined): number | undefined {
  return snapshot?.worldTime;
}
