import { CodecId } from '@tx2/pack-format';
import { checkExpectedSize, checkLevel, type Codec, requireBytes, sizeMismatch } from './codec.js';
import { NONE_LEVELS } from './levels.js';
import { OutputBudget, processorStream } from './streams.js';

/** The identity codec: sections are stored as they are (codec id 0). */
export const noneCodec: Codec = Object.freeze({
  id: CodecId.None,
  name: 'none',
  levels: NONE_LEVELS,
  compress(raw: Uint8Array, level?: number): Uint8Array {
    checkLevel('none', NONE_LEVELS, level);
    requireBytes('none', raw, 'the data to compress');
    return raw;
  },
  decompress(stored: Uint8Array, expectedSize: number): Uint8Array {
    requireBytes('none', stored, 'the data to decompress');
    checkExpectedSize('none', expectedSize);
    if (stored.length !== expectedSize) throw sizeMismatch('none', stored.length, expectedSize);
    return stored;
  },
  compressStream(level?: number): TransformStream<Uint8Array, Uint8Array> {
    checkLevel('none', NONE_LEVELS, level);
    return processorStream('none', 'Compression', () => ({ push: (chunk, emit) => emit(chunk), finish: () => {}, dispose: () => {} }));
  },
  decompressStream(expectedSize: number): TransformStream<Uint8Array, Uint8Array> {
    checkExpectedSize('none', expectedSize);
    return processorStream('none', 'Decompression', () => {
      const budget = new OutputBudget('none', expectedSize);
      return {
        push(chunk, emit) {
          budget.add(chunk.length);
          emit(chunk);
        },
        finish: () => budget.end(),
        dispose: () => {},
      };
    });
  },
});
