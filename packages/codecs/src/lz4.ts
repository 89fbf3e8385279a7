// LZ4 frame format: the reference library (lz4 1.10.0, lz4frame.c) compiled to
// WebAssembly, embedded in ./wasm/lz4-binary.ts and loaded on first use. The `lz4`
// command-line tool reads our frames and we read its.
import { CodecId } from '@tx2/pack-format';
import {
  checkExpectedSize,
  checkLevel,
  checkPlausible,
  type Codec,
  CodecError,
  compressCopying,
  decompressCopying,
  guarded,
  type LendingCodec,
  requireBytes,
  sizeMismatch,
} from './codec.js';
import { LZ4_LEVELS } from './levels.js';
import { type ChunkProcessor, OutputBudget, processorStream } from './streams.js';
import { copyOut, instantiate, readCString, readU32, Scratch, type WasmBase, writeU32 } from './wasm/instance.js';

interface Lz4Wasm extends WasmBase {
  tx_lz4_version(): number;
  tx_lz4_is_error(code: number): number;
  tx_lz4_error_name(code: number): number;
  tx_lz4_cctx_create(): number;
  tx_lz4_cctx_free(cctx: number): void;
  tx_lz4_frame_bound(size: number, level: number): number;
  tx_lz4_compress(cctx: number, dst: number, capacity: number, src: number, size: number, level: number): number;
  tx_lz4_begin(cctx: number, dst: number, capacity: number, level: number): number;
  tx_lz4_update_bound(size: number, level: number): number;
  tx_lz4_update(cctx: number, dst: number, capacity: number, src: number, size: number): number;
  tx_lz4_end(cctx: number, dst: number, capacity: number): number;
  tx_lz4_dctx_create(): number;
  tx_lz4_dctx_free(dctx: number): void;
  tx_lz4_dctx_reset(dctx: number): void;
  tx_lz4_decompress(dctx: number, dst: number, src: number, io: number): number;
}

const MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC = 0x184d2a50;
// Every 255 output bytes of a match cost at least one input byte.
const MAX_RATIO = 255;
const STREAM_CHUNK = 64 * 1024;
// Stored bytes go into module memory this many at a time when a section is decompressed.
const LZ4_INPUT_WINDOW = 128 * 1024;

let loaded: Promise<Lz4Wasm> | undefined;

function loadWasm(): Promise<Lz4Wasm> {
  loaded ??= import('./wasm/lz4-binary.js').then((m) => instantiate<Lz4Wasm>(m.LZ4_WASM_BASE64));
  return loaded;
}

/** The content size an LZ4 frame header declares, or undefined when it declares none. Throws when `stored` is no LZ4 frame. */
function declaredSize(stored: Uint8Array): number | undefined {
  if (stored.length < 7) throw new CodecError('lz4', `${stored.length} bytes are too short for an LZ4 frame: the section is corrupt or truncated`);
  const view = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  const magic = view.getUint32(0, true);
  if ((magic & 0xfffffff0) === SKIPPABLE_MAGIC) return undefined; // a skippable frame first: lz4frame handles it
  if (magic !== MAGIC) throw new CodecError('lz4', 'the data does not start with the LZ4 frame magic number: the section is corrupt');
  const flags = stored[4]!;
  if ((flags & 0x08) === 0) return undefined;
  if (stored.length < 15) throw new CodecError('lz4', 'the LZ4 frame header is truncated: the section is corrupt');
  // Sizes of 2^53 and more come out inexact but still above any expected size, so the caller refuses them.
  return view.getUint32(6, true) + view.getUint32(10, true) * 2 ** 32;
}

/** Loads the LZ4 codec (the WebAssembly module is embedded in this package). */
export async function loadLz4(): Promise<Codec> {
  const wasm = await loadWasm();
  const cctx = wasm.tx_lz4_cctx_create();
  const dctx = wasm.tx_lz4_dctx_create();
  const io = wasm.malloc(8);
  if (cctx === 0 || dctx === 0 || io === 0) throw new CodecError('lz4', 'could not create an LZ4 context: out of WebAssembly memory');
  const input = new Scratch(wasm);
  const output = new Scratch(wasm);
  const errorName = (code: number): string => readCString(wasm, wasm.tx_lz4_error_name(code));
  // Only compression calls are checked this way; decompression reports corrupt frames itself.
  const check = (code: number, what: string): number => {
    if (wasm.tx_lz4_is_error(code)) throw new CodecError('lz4', `${what} failed: ${errorName(code)}`, { code: 'Compression' });
    return code >>> 0;
  };

  const codec: LendingCodec = {
    id: CodecId.Lz4,
    name: 'lz4',
    levels: LZ4_LEVELS,

    compress(raw, level) {
      return compressCopying(codec, raw, level);
    },

    compressWith<T>(length: number, fill: (input: Uint8Array) => void, take: (frame: Uint8Array) => T, level?: number): T {
      const lv = checkLevel('lz4', LZ4_LEVELS, level);
      checkExpectedSize('lz4', length);
      return guarded('lz4', 'Compression', () => {
        const bound = check(wasm.tx_lz4_frame_bound(length, lv), 'sizing');
        // Both blocks first: a later malloc may grow the memory, which detaches earlier views.
        const dst = output.reserve(bound);
        const src = input.reserve(length);
        fill(new Uint8Array(wasm.memory.buffer, src, length));
        const written = check(wasm.tx_lz4_compress(cctx, dst, bound, src, length, lv), 'compression');
        return take(new Uint8Array(wasm.memory.buffer, dst, written));
      });
    },

    decompress(stored, expectedSize) {
      return decompressCopying(codec, stored, expectedSize);
    },

    decompressWith<T>(stored: Uint8Array, expectedSize: number, take: (raw: Uint8Array) => T): T {
      requireBytes('lz4', stored, 'the data to decompress');
      checkExpectedSize('lz4', expectedSize);
      checkPlausible('lz4', stored, expectedSize, MAX_RATIO, 64);
      const declared = declaredSize(stored);
      if (declared !== undefined && declared > expectedSize) {
        throw new CodecError('lz4', `the frame declares ${declared} bytes, expected ${expectedSize}: the section is corrupt`);
      }
      return guarded('lz4', 'Decompression', () => {
        const pointer = decompressFrame(stored, expectedSize); // may grow the memory: view its buffer after
        return take(new Uint8Array(wasm.memory.buffer, pointer, expectedSize));
      });
    },

    compressStream(level) {
      const lv = checkLevel('lz4', LZ4_LEVELS, level);
      return processorStream('lz4', 'Compression', () => lz4Compressor(wasm, lv, check));
    },

    decompressStream(expectedSize) {
      checkExpectedSize('lz4', expectedSize);
      return processorStream('lz4', 'Decompression', () => lz4Decompressor(wasm, expectedSize, errorName));
    },
  };

  /** Decompresses one whole frame of `expectedSize` bytes (the size checks done) into scratch memory; returns its pointer. */
  function decompressFrame(stored: Uint8Array, expectedSize: number): number {
    const dst = output.reserve(Math.max(expectedSize, 1));
    // The stored bytes pass through a small window: the module never holds a whole stored section.
    const src = input.reserve(Math.min(stored.length, LZ4_INPUT_WINDOW));
    wasm.tx_lz4_dctx_reset(dctx);
    let read = 0;
    let written = 0;
    for (;;) {
      const piece = stored.subarray(read, read + LZ4_INPUT_WINDOW);
      new Uint8Array(wasm.memory.buffer, src, piece.length).set(piece);
      let taken = 0;
      let code = 0;
      for (;;) {
        writeU32(wasm, io, piece.length - taken);
        writeU32(wasm, io + 4, expectedSize - written);
        code = wasm.tx_lz4_decompress(dctx, dst + written, src + taken, io);
        if (wasm.tx_lz4_is_error(code)) {
          throw new CodecError('lz4', `the frame is corrupt (${errorName(code)}): the section cannot be read`);
        }
        const consumed = readU32(wasm, io);
        const produced = readU32(wasm, io + 4);
        taken += consumed;
        written += produced;
        if (taken === piece.length) break;
        if (consumed === 0 && produced === 0) {
          if (written === expectedSize) throw sizeMismatch('lz4', `more than ${expectedSize}`, expectedSize);
          throw new CodecError('lz4', 'the frame is corrupt: decoding made no progress');
        }
      }
      read += piece.length;
      if (read === stored.length) {
        if (code !== 0) throw new CodecError('lz4', 'the frame is truncated: the section is incomplete');
        break;
      }
    }
    if (written !== expectedSize) throw sizeMismatch('lz4', written, expectedSize);
    return dst;
  }
  return Object.freeze(codec);
}

function lz4Compressor(wasm: Lz4Wasm, level: number, check: (code: number, what: string) => number): ChunkProcessor {
  const cctx = wasm.tx_lz4_cctx_create();
  if (cctx === 0) throw new CodecError('lz4', 'could not create an LZ4 context: out of WebAssembly memory', { code: 'Compression' });
  const out = new Scratch(wasm);
  const inp = new Scratch(wasm);
  let started = false;
  const begin = (emit: (out: Uint8Array) => void): void => {
    if (started) return;
    started = true;
    const dst = out.reserve(32);
    emit(copyOut(wasm, dst, check(wasm.tx_lz4_begin(cctx, dst, 32, level), 'starting a frame')));
  };
  return {
    push(chunk, emit) {
      begin(emit);
      for (let at = 0; at < chunk.length; at += STREAM_CHUNK) {
        const part = chunk.subarray(at, at + STREAM_CHUNK);
        const bound = check(wasm.tx_lz4_update_bound(part.length, level), 'sizing');
        const dst = out.reserve(bound);
        const src = inp.write(part);
        const written = check(wasm.tx_lz4_update(cctx, dst, bound, src, part.length), 'stream compression');
        if (written > 0) emit(copyOut(wasm, dst, written));
      }
    },
    finish(emit) {
      begin(emit);
      const bound = check(wasm.tx_lz4_update_bound(0, level), 'sizing');
      const dst = out.reserve(bound);
      emit(copyOut(wasm, dst, check(wasm.tx_lz4_end(cctx, dst, bound), 'ending the frame')));
    },
    dispose() {
      wasm.tx_lz4_cctx_free(cctx);
      out.dispose();
      inp.dispose();
    },
  };
}

function lz4Decompressor(wasm: Lz4Wasm, expectedSize: number, errorName: (code: number) => string): ChunkProcessor {
  const dctx = wasm.tx_lz4_dctx_create();
  const io = wasm.malloc(8);
  if (dctx === 0 || io === 0) throw new CodecError('lz4', 'could not create an LZ4 context: out of WebAssembly memory');
  const out = new Scratch(wasm);
  const inp = new Scratch(wasm);
  const budget = new OutputBudget('lz4', expectedSize);
  let frameDone = false;
  return {
    push(chunk, emit) {
      const src = inp.write(chunk);
      let read = 0;
      while (read < chunk.length || !frameDone) {
        const room = Math.min(STREAM_CHUNK, budget.remaining + 1);
        const dst = out.reserve(room);
        writeU32(wasm, io, chunk.length - read);
        writeU32(wasm, io + 4, room);
        const code = wasm.tx_lz4_decompress(dctx, dst, src + read, io);
        if (wasm.tx_lz4_is_error(code)) throw new CodecError('lz4', `the frame is corrupt (${errorName(code)}): the section cannot be read`);
        const consumed = readU32(wasm, io);
        const produced = readU32(wasm, io + 4);
        read += consumed;
        budget.add(produced);
        if (produced > 0) emit(copyOut(wasm, dst, produced));
        frameDone = code === 0;
        if (consumed === 0 && produced === 0) break;
      }
    },
    finish() {
      if (!frameDone) throw new CodecError('lz4', 'the frame is truncated: the section is incomplete');
      budget.end();
    },
    dispose() {
      wasm.tx_lz4_dctx_free(dctx);
      wasm.free(io);
      out.dispose();
      inp.dispose();
    },
  };
}
