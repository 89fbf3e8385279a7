// What every compression worker does, whatever runs it (a Node.js worker thread or a Web Worker):
// load the codec a request names (once per codec and options), filter and compress the section,
// and answer with the frame or the error. The two scripts around it only wire up the messages.
import { isPackError } from '@tx2/pack-format';
import { filterById } from './auto-filter.js';
import type { Codec, CodecName, LendingCodec } from './codec.js';
import { type LoadCodecOptions, loadCodec } from './registry.js';

/** The codec a worker compresses with: its name and the options it was loaded with (see loadOptionsOf). */
export interface WorkerCodec {
  name: CodecName;
  load: LoadCodecOptions;
}

/** What the pool sends: one section, its codec, filter id (0: none), value width and level. */
export interface CompressRequest {
  id: number;
  codec: WorkerCodec;
  input: Uint8Array;
  filter: number;
  width: number;
  level: number;
}

/** What a worker answers: the frame, or the error that stopped it. */
export type CompressReply = { id: number; frame: Uint8Array } | { id: number; error: { message: string; code: string | undefined; details: unknown } };

/** A reply and the buffers to transfer with it (not copy). */
export interface ReplyMessage {
  reply: CompressReply;
  transfer: ArrayBuffer[];
}

/** Answers the requests of one worker; codecs are loaded on the first request that names them. */
export function createCompressHandler(): (request: CompressRequest) => Promise<ReplyMessage> {
  const codecs = new Map<string, Promise<Codec>>();
  const codecFor = (wanted: WorkerCodec): Promise<Codec> => {
    const key = `${wanted.name}:${JSON.stringify(wanted.load)}`;
    let codec = codecs.get(key);
    if (codec === undefined) {
      codec = loadCodec(wanted.name, wanted.load);
      codecs.set(key, codec);
      codec.catch(() => codecs.delete(key));
    }
    return codec;
  };
  return async (request) => {
    try {
      const frame = compress(request, await codecFor(request.codec));
      return { reply: { id: request.id, frame }, transfer: [frame.buffer as ArrayBuffer] };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = isPackError(error) ? error.code : undefined;
      return { reply: { id: request.id, error: { message, code, details: isPackError(error) ? error.details : undefined } }, transfer: [] };
    }
  };
}

/** The reply without its error details, for when those cannot be cloned: the error is sent rather than lost. */
export function withoutDetails(message: ReplyMessage): ReplyMessage {
  return 'error' in message.reply ? { reply: { id: message.reply.id, error: { ...message.reply.error, details: undefined } }, transfer: [] } : message;
}

function compress(request: CompressRequest, codec: Codec): Uint8Array {
  const { input, width, level } = request;
  const filter = request.filter === 0 ? undefined : filterById(request.filter);
  if (request.filter !== 0 && filter === undefined) throw new Error(`unknown filter id ${request.filter}`);
  const lending = codec as Codec & Partial<Pick<LendingCodec, 'compressWith'>>;
  if (lending.compressWith !== undefined) {
    // As encodeSnapshot does: the filter writes straight into the codec's memory, and the frame
    // is copied out once, into a buffer of its own that can be transferred back.
    const fill = (dst: Uint8Array): void => {
      if (filter === undefined) dst.set(input);
      else if (filter.encodeInto !== undefined) filter.encodeInto(input, width, dst);
      else dst.set(filter.encode(input, width));
    };
    return lending.compressWith(input.length, fill, (frame) => frame.slice(), level);
  }
  const frame = codec.compress(filter === undefined ? input : filter.encode(input, width), level);
  // Only a whole ArrayBuffer can be transferred back without a copy.
  return frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength && frame.buffer instanceof ArrayBuffer ? frame : frame.slice();
}
