// @tx2/pack-ecs: what every ECS adapter shares. The adapters live in subpaths:
// @tx2/pack-ecs/bitecs, @tx2/pack-ecs/koota, @tx2/pack-ecs/miniplex. No Node built-ins: runs in browsers.
export { NO_ENTITY, storedType } from './core/columns.js';
export type {
  FieldSpec,
  IdMap,
  LoadedContext,
  LoadWorldOptions,
  LoadWorldResult,
  RegistryBase,
  ResourceSpec,
  SaveWorldOptions,
} from './core/registry.js';
export type { Library } from './core/mismatch.js';
