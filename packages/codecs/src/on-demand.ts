import type { LazyCodecLookup } from '@tx2/pack-format';
import { CODEC_NAMES, loadCodec } from './registry.js';

/**
 * A codec lookup that loads each codec the first time a file names it (WebAssembly and fflate
 * stay unloaded until needed). Asynchronous: for readSnapshot / readDelta, not decodeSnapshot.
 */
export const codecsOnDemand: LazyCodecLookup = (id) => (Number.isInteger(id) && id >= 0 && id < CODEC_NAMES.length ? loadCodec(id) : undefined);
