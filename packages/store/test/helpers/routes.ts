// Every public way to write a snapshot, each paired with a way to read it back, for the
// route-equivalence property test. One RouteContext per test file: the temp directory,
// stores, checkpoint managers, codecs and key are made once and reused by every run.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import { EncryptionKey } from '@tx2/pack-crypto';
import {
  bytesSource,
  type DecodeOptions,
  decodeSnapshot,
  type EncodeOptions,
  encodeSnapshot,
  encodeSnapshotStream,
  isPackError,
  type PackedSnapshot,
  readSnapshot,
  SnapshotEncoder,
} from '@tx2/pack-format';
import { CheckpointManager, type CreatedCheckpoint, MemoryBackend, SnapshotReader, SnapshotStore, SnapshotWriter, type StorageBackend } from '../../src/index.js';
import { NodeFsBackend, readSnapshotFile, writeSnapshotFile } from '../../src/node.js';

/** What a route wrote: the container bytes when it exposes them, and how to read it back. */
export interface Written {
  bytes?: Uint8Array;
  /** Why a checkpoint was stored in full (checkpoint routes only). */
  fullReason?: string | undefined;
  read(): Promise<PackedSnapshot>;
}

/** One public way to write a snapshot. Routes with the same `sameBytes` label must write identical bytes. */
export interface Route {
  name: string;
  sameBytes?: 'plain' | 'zstd' | 'default';
  write(world: PackedSnapshot, run: RunInfo): Promise<Written>;
}

/** Per-run parameters drawn by fast-check. */
export interface RunInfo {
  /** A small chunk size (64..256) for the streamed routes, so columns are cut into several sections. */
  chunkBytes: number;
  /** A counter, for store ids and checkpoint ids. */
  index: number;
  /** Check that a refused save leaves the store as it was (costs a listing and a record read per save). */
  checkRefusals?: boolean;
}

/** How a route ended: read back, or refused (at write or at read) with a PackError code, or a raw error (always a bug). */
export type Outcome = { ok: true; written: Written; decoded: PackedSnapshot } | { ok: false; stage: 'write' | 'read'; code: string; message: string };

/** The outcome as a short comparable key: "ok", "write:InvalidInput", "read:raw TypeError: ...". */
export function outcomeKey(o: Outcome): string {
  return o.ok ? 'ok' : `${o.stage}:${o.code}`;
}

function failure(stage: 'write' | 'read', error: unknown): Outcome {
  if (isPackError(error)) return { ok: false, stage, code: error.code, message: error.message };
  const e = error as Error;
  return { ok: false, stage, code: `raw ${e?.name ?? typeof error}`, message: `${e?.message ?? String(error)}\n${e?.stack ?? ''}` };
}

/** Runs `route` on `world`: writes, then reads back. */
export async function runRoute(route: Route, world: PackedSnapshot, run: RunInfo): Promise<Outcome> {
  let written: Written;
  try {
    written = await route.write(world, run);
  } catch (error) {
    return failure('write', error);
  }
  try {
    return { ok: true, written, decoded: await written.read() };
  } catch (error) {
    return failure('read', error);
  }
}

async function join(pieces: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  // Copy each piece: streamed pieces may view the caller's column arrays.
  for await (const p of pieces) parts.push(p.slice());
  return new Uint8Array(Buffer.concat(parts));
}

/** Files and keys a refused save must leave as they were. */
async function keysOf(backend: StorageBackend): Promise<string> {
  return (await backend.list()).sort().join('\n');
}

/** A route that writes a container in memory and reads it back from those bytes. */
function bytesRoute(
  name: string,
  sameBytes: Route['sameBytes'],
  encode: (world: PackedSnapshot, run: RunInfo) => Uint8Array | Promise<Uint8Array>,
  decode: (bytes: Uint8Array) => PackedSnapshot | Promise<PackedSnapshot>,
): Route {
  const route: Route = {
    name,
    async write(world, run) {
      const bytes = await encode(world, run);
      return { bytes, read: async () => decode(bytes) };
    },
  };
  if (sameBytes !== undefined) route.sameBytes = sameBytes;
  return route;
}

/** A store route: saves under a rotating id (so saves also replace), loads back; a refused save must change nothing. */
function storeRoute(name: string, store: SnapshotStore): Route {
  return {
    name,
    async write(world, run) {
      const id = `slot${run.index % 3}`;
      const before = run.checkRefusals === true ? { keys: await keysOf(store.backend), record: JSON.stringify(await store.record(id)) } : undefined;
      try {
        await store.save(world, id);
      } catch (error) {
        if (before === undefined) throw error;
        const after = { keys: await keysOf(store.backend), record: JSON.stringify(await store.record(id)) };
        if (after.keys !== before.keys || after.record !== before.record) {
          throw new Error(`a refused save changed the store (${String(error)}): keys ${JSON.stringify(before.keys)} -> ${JSON.stringify(after.keys)}`);
        }
        throw error;
      }
      return { read: async () => (await store.load(id)).snapshot };
    },
  };
}

/** A checkpoint route: a new checkpoint after the previous run's, read back by a fresh manager (no cache), so deltas are rebuilt from storage. */
function checkpointRoute(name: string, manager: CheckpointManager, clearEvery: number): Route {
  let created = 0;
  return {
    name,
    async write(world, run) {
      if (created > 0 && created % clearEvery === 0) await manager.clear();
      const id = `cp${created++}`;
      const state = async () => ({ keys: await keysOf(manager.store.backend), chain: (await manager.listCheckpoints()).map((c) => c.id).join(',') });
      const before = run.checkRefusals === true ? await state() : undefined;
      let result: CreatedCheckpoint;
      try {
        result = await manager.createCheckpoint(id, world);
      } catch (error) {
        if (before === undefined) throw error;
        const after = await state();
        if (after.keys !== before.keys || after.chain !== before.chain) throw new Error(`a refused checkpoint changed the store (${String(error)})`);
        throw error;
      }
      return { fullReason: result.fullReason, read: async () => (await new CheckpointManager(manager.store).loadCheckpoint(id)).snapshot };
    },
  };
}

/** Everything the routes share across runs. */
export interface RouteContext {
  dir: string;
  routes: Route[];
  /** Removes the temp directory. */
  close(): Promise<void>;
}

/** Builds the routes once per test file (codecs loaded, stores and managers opened, one temp dir). */
export async function createRouteContext(): Promise<RouteContext> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tx2-routes-'));
  const key = EncryptionKey.generate();
  const zstd: EncodeOptions = await packOptions({ codec: 'zstd' });
  const lz4: EncodeOptions = await packOptions({ codec: 'lz4', filter: 'shuffle', checksums: false });
  const readAll: DecodeOptions = await readOptions();
  const encoder = new SnapshotEncoder();
  const zstdEncoder = new SnapshotEncoder(zstd);
  const none = SnapshotWriter.create().withCodec('none');
  const zstdWriter = SnapshotWriter.create().withCodec('zstd');
  const defaults = SnapshotWriter.create();
  const sealed = SnapshotWriter.create().withKey(key);
  const opener = SnapshotReader.create().withKey(key);
  const reader = SnapshotReader.create();
  const fsDir = (name: string) => new NodeFsBackend(path.join(dir, name), { durable: false });
  const file = path.join(dir, 'file.tx2pack');

  const routes: Route[] = [
    bytesRoute(
      'encodeSnapshot',
      'plain',
      (w) => encodeSnapshot(w),
      (b) => decodeSnapshot(b),
    ),
    bytesRoute(
      'encodeSnapshot zstd (auto filters)',
      'zstd',
      (w) => encodeSnapshot(w, zstd),
      (b) => decodeSnapshot(b, readAll),
    ),
    bytesRoute(
      'encodeSnapshot lz4 (shuffle, no checksums) via readSnapshot(bytesSource)',
      undefined,
      (w) => encodeSnapshot(w, lz4),
      (b) => readSnapshot(bytesSource(b), readAll),
    ),
    // One encoder for every run: its reused buffer and manifest cache are part of the route. Its
    // output is valid until the next call, so it is decoded (copying) before the copy is kept.
    {
      name: 'SnapshotEncoder.encode (shared)',
      sameBytes: 'plain',
      write: async (w) => {
        const view = encoder.encode(w);
        const decoded = decodeSnapshot(view, { copy: true });
        return { bytes: view.slice(), read: async () => decoded };
      },
    },
    bytesRoute(
      'SnapshotEncoder(zstd).encodeCopy (shared)',
      'zstd',
      (w) => zstdEncoder.encodeCopy(w),
      (b) => decodeSnapshot(b, readAll),
    ),
    bytesRoute(
      'encodeSnapshotStream',
      'plain',
      (w) => join(encodeSnapshotStream(w)),
      (b) => decodeSnapshot(b),
    ),
    bytesRoute(
      'encodeSnapshotStream small chunks',
      undefined,
      (w, run) => join(encodeSnapshotStream(w, { chunkBytes: run.chunkBytes })),
      (b) => readSnapshot(b),
    ),
    bytesRoute(
      'encodeSnapshotStream zstd small chunks',
      undefined,
      (w, run) => join(encodeSnapshotStream(w, { ...zstd, chunkBytes: run.chunkBytes })),
      (b) => decodeSnapshot(b, readAll),
    ),
    bytesRoute(
      'SnapshotWriter(none).writeToBytes',
      'plain',
      (w) => none.writeToBytes(w),
      (b) => reader.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter(none).stream',
      'plain',
      (w) => join(none.stream(w)),
      (b) => reader.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter(zstd).writeToBytes',
      'zstd',
      (w) => zstdWriter.writeToBytes(w),
      (b) => reader.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter(zstd).stream',
      'zstd',
      (w) => join(zstdWriter.stream(w)),
      (b) => reader.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter().writeToBytes',
      'default',
      (w) => defaults.writeToBytes(w),
      (b) => reader.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter().withChunkSize(small).stream',
      undefined,
      (w, run) => join(defaults.withChunkSize(run.chunkBytes).stream(w)),
      (b) => reader.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter().withKey(key).writeToBytes',
      undefined,
      (w) => sealed.writeToBytes(w),
      (b) => opener.readFromBytes(b),
    ),
    bytesRoute(
      'SnapshotWriter().withKey(key).withChunkSize(small).stream',
      undefined,
      (w, run) => join(sealed.withChunkSize(run.chunkBytes).stream(w)),
      (b) => opener.readFromBytes(b),
    ),
    {
      name: 'SnapshotWriter().writeToFile',
      sameBytes: 'default',
      write: async (w) => {
        await rm(file, { force: true });
        try {
          await writeSnapshotFile(file, w, defaults);
        } catch (error) {
          // A refused write leaves no file and no temporary file behind.
          const left = await readdir(dir);
          if (left.some((f) => f.startsWith('file.tx2pack'))) throw new Error(`a refused writeToFile left ${left.join(', ')} (${String(error)})`);
          throw error;
        }
        const bytes = new Uint8Array(await readFile(file));
        return { bytes, read: () => readSnapshotFile(file, reader) };
      },
    },
    storeRoute('SnapshotStore(NodeFsBackend).save', new SnapshotStore(fsDir('store'))),
    storeRoute('SnapshotStore(NodeFsBackend, dedupeSections).save', new SnapshotStore(fsDir('store-dedupe'), { dedupeSections: { minBytes: 32 } })),
    storeRoute('SnapshotStore(MemoryBackend).save', new SnapshotStore(new MemoryBackend())),
    storeRoute('SnapshotStore(MemoryBackend, dedupeSections).save', new SnapshotStore(new MemoryBackend(), { dedupeSections: { minBytes: 1 } })),
    storeRoute('SnapshotStore(MemoryBackend, encrypted writer).save', new SnapshotStore(new MemoryBackend(), { writer: sealed, reader: opener })),
    // Deltas against the previous run's world whenever the policy allows (never too large), rebuilt on load.
    checkpointRoute('CheckpointManager(deltas).createCheckpoint', new CheckpointManager(new MemoryBackend(), { incremental: { fullEvery: 4, maxDeltaRatio: 1e9 } }), 8),
    checkpointRoute('CheckpointManager(NodeFsBackend, incremental off).createCheckpoint', new CheckpointManager(fsDir('checkpoints'), { incremental: false }), 8),
  ];
  return { dir, routes, close: () => rm(dir, { recursive: true, force: true }) };
}
