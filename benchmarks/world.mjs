// The deterministic reference world of the tx2-pack benchmarks, shared by every package's
// benchmarks and by `tx2pack bench` / `tx2pack demo`. It is defined once, in
// @tx2/pack-cli (packages/cli/src/reference-world.ts, which documents how it is generated);
// this module re-exports it so the benchmark scripts keep importing './world.mjs'.
export {
  REFERENCE_SEED,
  REFERENCE_TIMESTAMP,
  REFERENCE_VERSION,
  REFERENCE_SCHEMA,
  mulberry32,
  referenceColumns,
  referenceWorld,
} from '@tx2/pack-cli/reference-world';
