// @tx2/pack-cli: the `tx2pack` command, and the pieces of it that are useful as a library.
export { run, createProgram, reportError } from './program.js';
export { ExitCode, CliError, toCliError } from './errors.js';
export { Output, colorsWanted, type OutputOptions } from './output.js';
export { toJsonValue, fromJsonValue, TAG as JSON_TAG, MAX_JSON_DEPTH, type Json } from './json-encoding.js';
export { packedToWorldJson, worldJsonToPacked, WORLD_JSON_VERSION, type WorldJson, type WorldJsonExtension, type WorldJsonComponent } from './world-json.js';
export {
  REFERENCE_SEED,
  REFERENCE_TIMESTAMP,
  REFERENCE_VERSION,
  REFERENCE_SCHEMA,
  mulberry32,
  referenceColumns,
  referenceWorld,
  type ReferenceColumns,
  type ReferenceWorldOptions,
  type Vector3Columns,
} from './reference-world.js';
export { measureCodecs, BENCH_SETTINGS, type BenchRow } from './commands/bench.js';
export { VERSION } from './version.js';
