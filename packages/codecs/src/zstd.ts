// Zstandard: the reference library (zstd 1.5.7) compiled to WebAssembly, embedded in
// ./wasm/zstd-binary.ts and loaded on first use. Frames are standard zstd frames
// (RFC 8878): the `zstd` command-line tool reads ours and we read its.
import { CodecId, PackError } from '@tx2/pack-format';
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
import { ZSTD_LEVELS } from './levels.js';
import { type ChunkProcessor, OutputBudget, processorStream } from './streams.js';
import { copyOut, instantiate, readCString, readU32, Scratch, type WasmBase, writeU32 } from './wasm/instance.js';

interface ZstdWasm extends WasmBase {
  ZSTD_versionNumber(): number;
  ZSTD_isError(code: number): number;
  ZSTD_getErrorName(code: number): number;
  ZSTD_compressBound(size: number): number;
  ZSTD_createCCtx(): number;
  ZSTD_freeCCtx(cctx: number): number;
  ZSTD_CCtx_reset(cctx: number, directive: number): number;
  ZSTD_CCtx_setParameter(cctx: number, param: number, value: number): number;
  ZSTD_compress2(cctx: number, dst: number, capacity: number, src: number, size: number): number;
  ZSTD_compressStream2(cctx: number, output: number, input: number, directive: number): number;
  ZSTD_CStreamOutSize(): number;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(dctx: number): number;
  ZSTD_DCtx_reset(dctx: number, directive: number): number;
  ZSTD_DCtx_setParameter(dctx: number, param: number, value: number): number;
  ZSTD_decompressDCtx(dctx: number, dst: number, capacity: number, src: number, size: number): number;
  ZSTD_decompressStream(dctx: number, output: number, input: number): number;
  ZSTD_DStreamOutSize(): number;
  ZSTD_getFrameContentSize(src: number, size: number): bigint;
  ZSTD_findFrameCompressedSize(src: number, size: number): number;
}

// Constants of zstd.h (stable or, for maxBlockSize, experimental in 1.5.7).
const C_COMPRESSION_LEVEL = 100;
const C_MAX_BLOCK_SIZE = 1015; // ZSTD_c_experimentalParam18
const RESET_SESSION_AND_PARAMETERS = 3;
const RESET_SESSION_ONLY = 1;
const D_STABLE_OUT_BUFFER = 1001; // ZSTD_d_experimentalParam2: decode straight into our output, no window buffer
const E_CONTINUE = 0;
const E_END = 2;
const CONTENTSIZE_UNKNOWN = -1n; // (u64)-1 seen as a signed i64
const BLOCK_MAX = 128 * 1024;
const BLOCK_MIN = 1024;
// A block expands to at most 128 KiB and takes at least 4 bytes (an RLE block).
const MAX_RATIO = BLOCK_MAX / 4;
// Stored bytes go into module memory this many at a time when a section is decompressed: the
// module never holds a copy of a whole stored section.
const ZSTD_INPUT_WINDOW = 128 * 1024;

/** Options of a Zstandard codec. */
export interface ZstdOptions {
  /**
   * Largest block, in bytes, or 'auto' (the default): a section is cut into 4 blocks of
   * at most 128 KiB. Each block has its own literal statistics, so a byte-shuffled column
   * of 4-byte values codes each byte plane with its own table (about 7% smaller on the
   * reference world than zstd's default blocks); 0 keeps zstd's 128 KiB blocks.
   */
  blockSize?: 'auto' | number;
}

let loaded: Promise<ZstdWasm> | undefined;

/** Loads (once) and returns the WebAssembly module. */
function loadWasm(): Promise<ZstdWasm> {
  loaded ??= import('./wasm/zstd-binary.js').then((m) => instantiate<ZstdWasm>(m.ZSTD_WASM_BASE64));
  return loaded;
}

/**
 * The block size used for an input of `length` bytes under `option`. 'auto' cuts a
 * section into 4 blocks (at most 128 KiB each): a byte-shuffled column of 4-byte values
 * then has exactly one block per byte plane, so each plane gets its own literal
 * statistics; 0 means zstd's own 128 KiB blocks.
 */
export function zstdBlockSize(option: 'auto' | number, length: number): number {
  if (option !== 'auto') return option;
  if (length < 4 * BLOCK_MIN) return 0;
  const size = Math.ceil(length / 4);
  return size >= BLOCK_MAX ? 0 : size;
}

function checkBlockSize(option: 'auto' | number): void {
  if (option === 'auto' || option === 0) return;
  if (!Number.isInteger(option) || option < 1024 || option > BLOCK_MAX) {
    throw new PackError('InvalidInput', `zstd blockSize must be 'auto', 0, or an integer from 1024 to ${BLOCK_MAX}, got ${String(option)}`, {
      details: { codec: 'zstd', blockSize: option },
    });
  }
}

/** Loads the Zstandard codec (the WebAssembly module is fetched from this package on first use, never from the network). */
export async function loadZstd(options: ZstdOptions = {}): Promise<Codec> {
  if (typeof options !== 'object' || options === null) throw new PackError('InvalidInput', 'the zstd options must be an object { blockSize }', { details: { codec: 'zstd' } });
  const blockOption = options.blockSize ?? 'auto';
  checkBlockSize(blockOption);
  const wasm = await loadWasm();
  const cctx = wasm.ZSTD_createCCtx();
  const dctx = wasm.ZSTD_createDCtx();
  if (cctx === 0 || dctx === 0) throw new CodecError('zstd', 'could not create a zstd context: out of WebAssembly memory');
  const input = new Scratch(wasm);
  const output = new Scratch(wasm);

  // Only compression calls are checked this way; decompression reports corrupt frames itself.
  const fail = (code: number, what: string): never => {
    throw new CodecError('zstd', `${what} failed: ${readCString(wasm, wasm.ZSTD_getErrorName(code))}`, { code: 'Compression' });
  };
  const check = (code: number, what: string): number => (wasm.ZSTD_isError(code) ? fail(code, what) : code >>> 0);

  const setup = (ctx: number, level: number, blockSize: number): void => {
    check(wasm.ZSTD_CCtx_reset(ctx, RESET_SESSION_AND_PARAMETERS), 'reset');
    check(wasm.ZSTD_CCtx_setParameter(ctx, C_COMPRESSION_LEVEL, level), 'setting the level');
    if (blockSize !== 0) check(wasm.ZSTD_CCtx_setParameter(ctx, C_MAX_BLOCK_SIZE, blockSize), 'setting the block size');
  };

  const codec: LendingCodec = {
    id: CodecId.Zstd,
    name: 'zstd',
    levels: ZSTD_LEVELS,

    compress(raw, level) {
      return compressCopying(codec, raw, level);
    },

    compressWith<T>(length: number, fill: (input: Uint8Array) => void, take: (frame: Uint8Array) => T, level?: number): T {
      const lv = checkLevel('zstd', ZSTD_LEVELS, level);
      checkExpectedSize('zstd', length);
      return guarded('zstd', 'Compression', () => {
        setup(cctx, lv, zstdBlockSize(blockOption, length));
        const bound = wasm.ZSTD_compressBound(length) >>> 0;
        // Both blocks first: a later malloc may grow the memory, which detaches earlier views.
        const dst = output.reserve(bound);
        const src = input.reserve(length);
        fill(new Uint8Array(wasm.memory.buffer, src, length));
        const written = check(wasm.ZSTD_compress2(cctx, dst, bound, src, length), 'compression');
        return take(new Uint8Array(wasm.memory.buffer, dst, written));
      });
    },

    decompress(stored, expectedSize) {
      return decompressCopying(codec, stored, expectedSize);
    },

    decompressWith<T>(stored: Uint8Array, expectedSize: number, take: (raw: Uint8Array) => T): T {
      requireBytes('zstd', stored, 'the data to decompress');
      checkExpectedSize('zstd', expectedSize);
      checkPlausible('zstd', stored, expectedSize, MAX_RATIO, 1024);
      return guarded('zstd', 'Decompression', () => {
        const pointer = decompressFrame(stored, expectedSize); // may grow the memory: view its buffer after
        return take(new Uint8Array(wasm.memory.buffer, pointer, expectedSize));
      });
    },

    compressStream(level) {
      const lv = checkLevel('zstd', ZSTD_LEVELS, level);
      return processorStream('zstd', 'Compression', () => zstdCompressor(wasm, lv, blockOption === 'auto' ? 0 : blockOption, setup, check));
    },

    decompressStream(expectedSize) {
      checkExpectedSize('zstd', expectedSize);
      return processorStream('zstd', 'Decompression', () => zstdDecompressor(wasm, expectedSize));
    },
  };

  // Whole sections decode straight into the output scratch (a stable output buffer): the DCtx
  // then needs no window buffer of its own, and the input passes through a small window.
  check(wasm.ZSTD_DCtx_setParameter(dctx, D_STABLE_OUT_BUFFER, 1), 'setting up decompression');
  const io = buffers(wasm, 'Decompression');

  /** Decompresses one whole frame of `expectedSize` bytes (the size checks done) into scratch memory; returns its pointer. */
  function decompressFrame(stored: Uint8Array, expectedSize: number): number {
    // The frame header may declare the content size: check it before allocating. The header
    // is at most 18 bytes; the whole frame is never copied in for this.
    const head = stored.subarray(0, Math.min(stored.length, ZSTD_INPUT_WINDOW));
    let src = input.write(head);
    const declared = wasm.ZSTD_getFrameContentSize(src, head.length);
    if (declared < CONTENTSIZE_UNKNOWN) throw new CodecError('zstd', 'the data is not a zstd frame or its header is truncated: the section is corrupt');
    if (declared !== CONTENTSIZE_UNKNOWN && declared > BigInt(expectedSize)) {
      throw new CodecError('zstd', `the frame declares ${declared} bytes, expected ${expectedSize}: the section is corrupt`);
    }
    const capacity = Math.max(expectedSize, 1);
    const dst = output.reserve(capacity);
    src = input.reserve(Math.min(stored.length, ZSTD_INPUT_WINDOW)); // may grow the memory
    check(wasm.ZSTD_DCtx_reset(dctx, RESET_SESSION_ONLY), 'resetting decompression');
    writeU32(wasm, io + 12, dst);
    writeU32(wasm, io + 16, capacity);
    writeU32(wasm, io + 20, 0);
    let code = 1;
    // Frames may follow one another (format.md §3.3): the stream starts the next one by itself.
    for (let read = 0; read < stored.length; ) {
      const piece = stored.subarray(read, read + ZSTD_INPUT_WINDOW);
      new Uint8Array(wasm.memory.buffer, src, piece.length).set(piece);
      writeU32(wasm, io, src);
      writeU32(wasm, io + 4, piece.length);
      writeU32(wasm, io + 8, 0);
      for (let consumed = 0; consumed < piece.length; ) {
        const produced = readU32(wasm, io + 20);
        code = wasm.ZSTD_decompressStream(dctx, io + 12, io);
        if (wasm.ZSTD_isError(code)) {
          const reason = readCString(wasm, wasm.ZSTD_getErrorName(code));
          if (/too small|forward progress/i.test(reason)) throw sizeMismatch('zstd', `more than ${expectedSize}`, expectedSize);
          throw new CodecError('zstd', `the frame is corrupt or truncated (${reason}): the section cannot be read`);
        }
        const now = readU32(wasm, io + 8);
        // No input taken and no output made: only a full output stops zstd like this.
        if (now === consumed && readU32(wasm, io + 20) === produced) throw sizeMismatch('zstd', `more than ${expectedSize}`, expectedSize);
        consumed = now;
      }
      read += piece.length;
    }
    if (code !== 0) throw new CodecError('zstd', 'the frame is truncated: the section is incomplete');
    const written = readU32(wasm, io + 20);
    if (written !== expectedSize) throw sizeMismatch('zstd', written, expectedSize);
    return dst;
  }
  return Object.freeze(codec);
}

/** ZSTD_inBuffer / ZSTD_outBuffer: { pointer, size, pos }, 12 bytes each in wasm32. */
function buffers(wasm: ZstdWasm, code: 'Compression' | 'Decompression'): number {
  const pointer = wasm.malloc(24);
  if (pointer === 0) throw new CodecError('zstd', 'out of WebAssembly memory', { code });
  return pointer;
}

function zstdCompressor(
  wasm: ZstdWasm,
  level: number,
  blockSize: number,
  setup: (ctx: number, level: number, blockSize: number) => void,
  check: (code: number, what: string) => number,
): ChunkProcessor {
  const cctx = wasm.ZSTD_createCCtx();
  if (cctx === 0) throw new CodecError('zstd', 'could not create a zstd context: out of WebAssembly memory', { code: 'Compression' });
  setup(cctx, level, blockSize);
  const io = buffers(wasm, 'Compression');
  const outSize = wasm.ZSTD_CStreamOutSize() >>> 0;
  const out = new Scratch(wasm);
  const inp = new Scratch(wasm);
  const run = (chunk: Uint8Array, directive: number, emit: (out: Uint8Array) => void): void => {
    const dst = out.reserve(outSize);
    const src = chunk.length > 0 ? inp.write(chunk) : inp.reserve(1);
    writeU32(wasm, io, src);
    writeU32(wasm, io + 4, chunk.length);
    writeU32(wasm, io + 8, 0);
    for (;;) {
      writeU32(wasm, io + 12, dst);
      writeU32(wasm, io + 16, outSize);
      writeU32(wasm, io + 20, 0);
      const remaining = check(wasm.ZSTD_compressStream2(cctx, io + 12, io, directive), 'stream compression');
      const produced = readU32(wasm, io + 20);
      if (produced > 0) emit(copyOut(wasm, dst, produced));
      const consumed = readU32(wasm, io + 8) === chunk.length;
      if (directive === E_END ? remaining === 0 : consumed && produced < outSize) return;
    }
  };
  return {
    push: (chunk, emit) => run(chunk, E_CONTINUE, emit),
    finish: (emit) => run(new Uint8Array(0), E_END, emit),
    dispose: () => {
      wasm.ZSTD_freeCCtx(cctx);
      wasm.free(io);
      out.dispose();
      inp.dispose();
    },
  };
}

function zstdDecompressor(wasm: ZstdWasm, expectedSize: number): ChunkProcessor {
  const dctx = wasm.ZSTD_createDCtx();
  if (dctx === 0) throw new CodecError('zstd', 'could not create a zstd context: out of WebAssembly memory');
  const io = buffers(wasm, 'Decompression');
  const outSize = wasm.ZSTD_DStreamOutSize() >>> 0;
  const out = new Scratch(wasm);
  const inp = new Scratch(wasm);
  const budget = new OutputBudget('zstd', expectedSize);
  let frameDone = true;
  let sawInput = false;
  return {
    push(chunk, emit) {
      if (chunk.length === 0) return;
      sawInput = true;
      const src = inp.write(chunk);
      writeU32(wasm, io, src);
      writeU32(wasm, io + 4, chunk.length);
      writeU32(wasm, io + 8, 0);
      for (;;) {
        // Never ask for more output than the budget allows (plus one byte to detect overruns).
        const room = Math.min(outSize, budget.remaining + 1);
        const dst = out.reserve(room);
        writeU32(wasm, io + 12, dst);
        writeU32(wasm, io + 16, room);
        writeU32(wasm, io + 20, 0);
        const code = wasm.ZSTD_decompressStream(dctx, io + 12, io);
        if (wasm.ZSTD_isError(code)) {
          throw new CodecError('zstd', `the frame is corrupt (${readCString(wasm, wasm.ZSTD_getErrorName(code))}): the section cannot be read`);
        }
        frameDone = code === 0;
        const produced = readU32(wasm, io + 20);
        budget.add(produced);
        if (produced > 0) emit(copyOut(wasm, dst, produced));
        if (readU32(wasm, io + 8) === chunk.length && produced < room) return;
      }
    },
    finish() {
      if (!sawInput || !frameDone) throw new CodecError('zstd', 'the frame is truncated: the section is incomplete');
      budget.end();
    },
    dispose() {
      wasm.ZSTD_freeDCtx(dctx);
      wasm.free(io);
      out.dispose();
      inp.dispose();
    },
  };
}
