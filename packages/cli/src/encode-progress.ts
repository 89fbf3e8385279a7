// Progress while encoding: the compressor is the slow part, so a codec that counts what it is
// given measures the work (it runs synchronously inside the encoder, and a terminal's stderr is
// written synchronously, so the report moves even while one call encodes the whole world).
import { CodecId, type PackedSnapshot, type SectionCodec } from '@tx2/pack-format';
import type { Progress } from './progress.js';

/** Raw bytes of the column and blob data, what the compressor will be given (for the progress report). */
export function rawColumnBytes(packed: PackedSnapshot): number {
  let n = 0;
  for (const c of packed.components) {
    if (c.layout === 'blobs') for (const b of c.blobs) n += b.length;
    else for (const f of c.fields) n += ArrayBuffer.isView(f.values) ? f.values.byteLength : 0;
  }
  return n;
}

/** `codec` reporting every section it compresses to `progress` (sections it is not given are copied, fast). */
export function countingCodec(codec: SectionCodec | undefined, progress: Progress): SectionCodec | undefined {
  if (codec === undefined || codec.id === CodecId.None) return codec;
  return {
    id: codec.id,
    name: codec.name,
    compress: (raw, level) => {
      const out = codec.compress(raw, level);
      progress.advance(raw.length);
      return out;
    },
    decompress: (stored, rawLength) => codec.decompress(stored, rawLength),
  };
}
