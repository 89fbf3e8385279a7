import type { PackedSnapshot } from '@tx2/pack-format';

/**
 * The `scale` of a delta predicting `target` from `base` (the frame after the keyframe) and
 * `reference` (the keyframe): value = base + scale × (base − reference). Values that move at
 * a steady rate move in proportion to world time, so the scale is the ratio of the world time
 * elapsed since `base` to that between the pair (irregular steps included). When world time
 * does not tell (it stands still between the pair, or is not finite), the frame distance:
 * `target` is the `run`-th frame after the keyframe, `base` the first.
 */
export function predictionScale(reference: PackedSnapshot, base: PackedSnapshot, target: PackedSnapshot, run: number): number {
  const span = base.worldTime - reference.worldTime;
  const scale = (target.worldTime - base.worldTime) / span;
  return span !== 0 && Number.isFinite(scale) ? scale : run - 1;
}
