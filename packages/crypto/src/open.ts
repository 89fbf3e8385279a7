// Opening sealed section frames (docs/format.md §12) for @tx2/pack-format's readers, which hand
// each frame they need to an opener: first the table of contents, then the sections. Opened
// descriptors get back cipher 0, a zero nonce and the payload CRC the header's SectionChecksums
// flag promises. Whole-file transforms (decrypt, rotate) defer the sections: the reader gets
// stand-ins of the right length, and every section is then opened in one batch, straight into
// the output, before anything is returned.
import {
  CipherId,
  crc32,
  DESCRIPTOR_SIZE,
  descriptorBytes,
  HEADER_SIZE,
  HeaderFlags,
  type OpenerFactory,
  readDescriptor,
  type SectionDescriptor,
  type SectionFrame,
  SectionFlags,
  SectionKind,
  type SectionOpener,
} from '@tx2/pack-format';
import { sectionAad } from './aad.js';
import { NONCE_LENGTH, TAG_LENGTH } from './backend.js';
import { constantTimeEqual, fail, requireBytes } from './bytes.js';
import { plainHeaderBytes, readEncryptedHeader } from './header.js';
import type { ResolvedKey } from './key-input.js';
import { SCRYPT_MAX_MEMORY } from './kdf.js';
import { type Engine, type Op, runAsync, runSync, type Steps } from './run.js';

const ZERO_NONCE = new Uint8Array(NONCE_LENGTH);

/** How opened descriptors are written. */
export interface OpenOptions {
  /** Fill in the payload CRC-32s the header's SectionChecksums flag promises (default true; false leaves them 0, for readers that check none: every opened byte is authenticated). */
  payloadCrcs?: boolean;
  /** Largest memory the header's scrypt parameters may ask for (default 1 GiB). */
  maxKdfMemory?: number;
}

/** What opening needs from one container: its header (bound into every section's associated data) and key. */
export interface OpenContext {
  aadHeader: Uint8Array;
  plainHeader: Uint8Array;
  key: ResolvedKey;
  /** Whether opened descriptors name a payload CRC, and whether they hold it. */
  crcs: { flag: boolean; value: boolean };
}

/** A sealed frame that passed the checks before opening. */
export interface SealedFrame {
  ordinal: number;
  descriptor: Uint8Array;
  parsed: SectionDescriptor;
  sealed: Uint8Array;
}

/** Names a section for messages. */
function sectionName(d: SectionDescriptor, ordinal: number): string {
  switch (d.kind) {
    case SectionKind.Manifest:
      return 'the manifest section';
    case SectionKind.EntitySet:
      return `entity set ${d.owner} (section ${ordinal})`;
    case SectionKind.Column:
      return `column ${d.field} of component ${d.owner} (section ${ordinal})`;
    case SectionKind.Blobs:
      return `the blobs of component ${d.owner} (section ${ordinal})`;
    case SectionKind.EntityMetadata:
      return 'the entity metadata section';
    case SectionKind.TableOfContents:
      return 'the table of contents';
    default:
      return `section ${ordinal} (kind ${d.kind})`;
  }
}

/** The context of an encrypted header whose key is `key` (resolved against it, or checked here). */
export function openContext(header: Uint8Array, key: ResolvedKey, options: OpenOptions = {}): OpenContext {
  const bytes = requireBytes(header, 'the header');
  const { header: parsed, extension } = readEncryptedHeader(bytes, options.maxKdfMemory ?? SCRYPT_MAX_MEMORY);
  if (!constantTimeEqual(extension.fingerprint, key.fingerprint)) fail('WrongKey', 'the header does not name the key given: the file changed while it was read');
  return {
    aadHeader: bytes.slice(0, HEADER_SIZE),
    plainHeader: plainHeaderBytes(parsed),
    key,
    crcs: { flag: (parsed.flags & HeaderFlags.SectionChecksums) !== 0, value: options.payloadCrcs ?? true },
  };
}

/** Checks a sealed frame before opening it: descriptor, cipher, sizes, and the CRC another writer may have given it. */
function checkSealed(ordinal: number, descriptorInput: unknown, sealedInput: unknown): SealedFrame {
  const descriptor = requireBytes(descriptorInput, 'the descriptor');
  const sealed = requireBytes(sealedInput, 'the sealed payload');
  if (descriptor.length < DESCRIPTOR_SIZE) fail('InvalidInput', `a descriptor is ${DESCRIPTOR_SIZE} bytes, got ${descriptor.length}`);
  const parsed = readDescriptor(descriptor, 0);
  const details = { section: ordinal, kind: parsed.kind };
  const bad = (what: string): never => fail('InvalidFormat', `${sectionName(parsed, ordinal)} ${what}: the file is corrupt or not written by tx2-pack`, details);
  if (parsed.cipher !== CipherId.Aes256Gcm) bad('of an encrypted snapshot is not encrypted');
  if (sealed.length !== parsed.storedLength) bad(`is ${sealed.length} bytes, its descriptor says ${parsed.storedLength}`);
  if (sealed.length < TAG_LENGTH) bad('is shorter than its authentication tag');
  // tx2-pack writes no CRC for sealed payloads (the tag is stronger); another writer may.
  if (parsed.flags & SectionFlags.PayloadChecksum && crc32(sealed) !== parsed.payloadCrc) {
    fail('ChecksumMismatch', `section ${ordinal} fails its checksum: the file is corrupt`, details);
  }
  return { ordinal, descriptor: descriptor.subarray(0, DESCRIPTOR_SIZE), parsed, sealed };
}

function openOp(ctx: OpenContext, frame: SealedFrame, out: Uint8Array): Op {
  return { kind: 'open', key: ctx.key.bytes, nonce: frame.parsed.nonce, data: frame.sealed, aad: sectionAad(ctx.aadHeader, frame.ordinal, frame.descriptor), out };
}

function authenticationFailed(frame: SealedFrame): never {
  const how =
    frame.parsed.kind === SectionKind.TableOfContents
      ? 'the file was modified (its header, a section count or the table itself), or it is corrupt'
      : 'the file was modified (this section, its descriptor, the header, or sections were moved or swapped), or it is corrupt';
  fail('Decryption', `${sectionName(frame.parsed, frame.ordinal)} fails authentication: ${how}`, { section: frame.ordinal, kind: frame.parsed.kind });
}

/** The plain descriptor of an opened frame whose plaintext is `payload` (undefined: not opened yet, no CRC). */
function plainDescriptor(ctx: OpenContext, frame: SealedFrame, length: number, payload: Uint8Array | undefined): Uint8Array {
  const d = frame.parsed;
  return descriptorBytes({
    ...d,
    cipher: CipherId.None,
    flags: ctx.crcs.flag ? d.flags | SectionFlags.PayloadChecksum : d.flags & ~SectionFlags.PayloadChecksum,
    storedLength: length,
    payloadCrc: ctx.crcs.flag && ctx.crcs.value && payload !== undefined ? crc32(payload) : 0,
    nonce: ZERO_NONCE,
  });
}

function* openSteps(ctx: OpenContext, ordinal: number, descriptor: unknown, sealed: unknown): Steps<SectionFrame> {
  const frame = checkSealed(ordinal, descriptor, sealed);
  const out = new Uint8Array(frame.sealed.length - TAG_LENGTH);
  const [opened] = yield [openOp(ctx, frame, out)];
  if (opened === null || opened === undefined) authenticationFailed(frame);
  return { descriptor: plainDescriptor(ctx, frame, out.length, out), payload: out };
}

/** An opener that opens each frame when the reader asks for it, on `engine` (synchronously for the sync readers). */
export function frameOpener(ctx: OpenContext, engine: Engine): SectionOpener {
  return {
    plainHeader: ctx.plainHeader,
    open(ordinal, descriptor, sealed) {
      const steps = openSteps(ctx, ordinal, descriptor, sealed);
      return engine.sync ? runSync(steps, engine.backend) : runAsync(steps, engine.backend);
    },
  };
}

/** The opener factory for @tx2/pack-format's readers, for a key already resolved against the file's header. */
export function openerFor(key: ResolvedKey, engine: Engine, options: OpenOptions = {}): OpenerFactory {
  return (header) => frameOpener(openContext(header, key, options), engine);
}

/**
 * Opening for whole-file transforms: the reader opens the table of contents at once, and gets
 * stand-ins for the sections (a view of the sealed bytes of the plaintext's length, never
 * read); {@link DeferredOpening.openSteps} then opens them all in one batch into given arrays.
 */
export class DeferredOpening {
  /** The sections the reader asked for, in its order. */
  readonly pending: SealedFrame[] = [];
  #context: OpenContext | undefined;

  constructor(
    private readonly key: ResolvedKey,
    private readonly engine: Engine,
    private readonly options: OpenOptions = {},
  ) {}

  /** The opener factory to give the reader. */
  readonly factory: OpenerFactory = (header) => {
    const ctx = openContext(header, this.key, this.options);
    this.#context = ctx;
    return {
      plainHeader: ctx.plainHeader,
      open: (ordinal, descriptor, sealed) => {
        if (readDescriptor(requireBytes(descriptor, 'the descriptor'), 0).kind === SectionKind.TableOfContents)
          return frameOpener(ctx, this.engine).open(ordinal, descriptor, sealed);
        const frame = checkSealed(ordinal, descriptor, sealed);
        this.pending.push(frame);
        const length = frame.sealed.length - TAG_LENGTH;
        return { descriptor: plainDescriptor(ctx, frame, length, undefined), payload: frame.sealed.subarray(0, length) };
      },
    };
  };

  /** The steps of opening every pending section into `outs` (one per section, of its plaintext's length); returns their plain descriptors. */
  *openSteps(outs: readonly Uint8Array[]): Steps<Uint8Array[]> {
    const ctx = this.#context;
    if (ctx === undefined || outs.length !== this.pending.length || this.pending.some((f, i) => f.ordinal !== i)) {
      fail('Decryption', 'internal error: the reader did not ask for every section in order');
    }
    const results = yield this.pending.map((frame, i) => openOp(ctx, frame, outs[i]!));
    results.forEach((r, i) => {
      if (r === null || r === undefined) authenticationFailed(this.pending[i]!);
    });
    return this.pending.map((frame, i) => plainDescriptor(ctx, frame, outs[i]!.length, outs[i]));
  }
}
