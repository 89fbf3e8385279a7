// The script each worker of a CompressionPool runs (Node.js worker_threads): it loads the
// pool's codec once, then filters and compresses the sections it is sent, one message each.
import { isPackError } from '@tx2/pack-format';
import { parentPort, workerData } from 'node:worker_threads';
import { filterById } from './auto-filter.js';
import type { Codec, CodecName } from './codec.js';
import { type LoadCodecOptions, loadCodec } from './registry.js';

/** What the pool sends: one section, its filter id (0: none) and value width. */
export interface CompressRequest {
  id: number;
  input: Uint8Array;
  filter: number;
  width: number;
  level: number;
}

/** What a worker answers: the frame, or the error that stopped it. */
export type CompressReply = { id: number; frame: Uint8Array } | { id: number; error: { message: string; code: string | undefined; details: unknown } };

/** The options every worker of a pool starts with. */
export interface WorkerSetup {
  codec: CodecName;
  load: LoadCodecOptions;
}

const port = parentPort;
const setup = workerData as WorkerSetup;
let codec: Promise<Codec> | undefined;

function compress(request: CompressRequest, loaded: Codec): Uint8Array {
  let input = request.input;
  if (request.filter !== 0) {
    const filter = filterById(request.filter);
    if (filter === undefined) throw new Error(`unknown filter id ${request.filter}`);
    input = filter.encode(input, request.width);
  }
  const frame = loaded.compress(input, request.level);
  // Only a whole ArrayBuffer can be transferred back without a copy.
  return frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength && frame.buffer instanceof ArrayBuffer ? frame : frame.slice();
}

port?.on('message', async (request: CompressRequest) => {
  try {
    codec ??= loadCodec(setup.codec, setup.load);
    const frame = compress(request, await codec);
    port.postMessage({ id: request.id, frame } satisfies CompressReply, [frame.buffer as ArrayBuffer]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isPackError(error) ? error.code : undefined;
    const details = isPackError(error) ? error.details : undefined;
    try {
      port.postMessage({ id: request.id, error: { message, code, details } } satisfies CompressReply);
    } catch {
      // Details that cannot be cloned are left out rather than lost with the error.
      port.postMessage({ id: request.id, error: { message, code, details: undefined } } satisfies CompressReply);
    }
  }
});
