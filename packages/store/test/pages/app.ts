// The page the Playwright tests (pages.test.ts) drive: the store bundled for the browser, with a
// few entry points on `window.tx2` that take and return plain data.
import { createPackedSnapshot, decodeSnapshot, encodeSnapshot, getColumn, type PackedSnapshot } from '@tx2/pack-format';
import { IndexedDBBackend, OPFSBackend, SnapshotMetadata, SnapshotStore, type StorageBackend } from '../../src/index.js';

/** The shared test world: `n` entities moving at tick `t` (the same function as the Node side's). */
export function world(t: number, n = 200): PackedSnapshot {
  const x = new Float32Array(n);
  const y = new Float64Array(n);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    x[i] = i * 0.5 + ((i % 7) - 3) * t;
    // Plain arithmetic only: Math.sin and friends need not round alike in two engines.
    y[i] = (i * 1.25 + t) / 3;
    names.push(`e${i}`);
  }
  return createPackedSnapshot({
    entities: Array.from({ length: n }, (_, i) => i + 1),
    worldTime: t,
    // A fixed wall-clock time: the header stores it, and the default is Date.now().
    timestamp: 1_700_000_000_000,
    components: [
      { id: 'Position', fields: { x, y } },
      { id: 'Name', fields: { name: names } },
    ],
  });
}

function backend(kind: string, name: string): StorageBackend {
  return kind === 'opfs' ? new OPFSBackend(name) : new IndexedDBBackend(name, { owner: `tab ${name}` });
}

const toBase64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

const api = {
  /** Saves world(t) as slot `id` in the store `name` on `kind` storage. */
  async save(kind: string, name: string, id: string, t: number): Promise<void> {
    await new SnapshotStore(backend(kind, name)).save(world(t), new SnapshotMetadata(id).withName(`tick ${t}`));
  },
  /** Loads slot `id`: its world time and Position.x. */
  async load(kind: string, name: string, id: string): Promise<{ worldTime: number; x: number[]; label: string | undefined }> {
    const { snapshot, metadata } = await new SnapshotStore(backend(kind, name)).load(id);
    return { worldTime: snapshot.worldTime, x: Array.from(getColumn(snapshot, 'Position', 'x', 'f32')), label: metadata.name };
  },
  /** Every file of the store (base64), to copy it elsewhere. */
  async files(kind: string, name: string): Promise<Record<string, string>> {
    const b = backend(kind, name);
    const out: Record<string, string> = {};
    for (const key of await b.list()) out[key] = toBase64((await b.get(key))!);
    return out;
  },
  /** Writes the given files (base64) into the store. */
  async putFiles(kind: string, name: string, files: Record<string, string>): Promise<void> {
    const b = backend(kind, name);
    for (const [key, text] of Object.entries(files)) await b.put(key, fromBase64(text));
  },
  /** encodeSnapshot(world(t)) in this browser, as base64. */
  encode(t: number): string {
    return toBase64(encodeSnapshot(world(t)));
  },
  /** Decodes base64 container bytes: world time and Position.x. */
  decode(text: string): { worldTime: number; x: number[] } {
    const snapshot = decodeSnapshot(fromBase64(text));
    return { worldTime: snapshot.worldTime, x: Array.from(getColumn(snapshot, 'Position', 'x', 'f32')) };
  },
  /**
   * `count` times: under the store's lock, read the shared log file, append `tab:i`, write it back;
   * and save a slot `tab-i` through the store (which takes the same lock).
   */
  async writeMany(name: string, tab: string, count: number): Promise<void> {
    const b = new IndexedDBBackend(name, { owner: `tab ${tab}` });
    const store = new SnapshotStore(b);
    for (let i = 0; i < count; i++) {
      const release = await b.lock(120_000);
      try {
        const old = await b.get('log');
        const log: string[] = old === undefined ? [] : JSON.parse(new TextDecoder().decode(old));
        // Yield between the read and the write: without the lock the other tab would interleave here.
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.push(`${tab}:${i}`);
        await b.put('log', new TextEncoder().encode(JSON.stringify(log)));
      } finally {
        await release();
      }
      await store.save(world(i, 50), new SnapshotMetadata(`${tab}-${i}`));
    }
  },
  /** The shared log and every slot's world time. */
  async readAll(name: string): Promise<{ log: string[]; slots: Record<string, number> }> {
    const b = new IndexedDBBackend(name);
    const store = new SnapshotStore(b);
    const log = JSON.parse(new TextDecoder().decode((await b.get('log'))!)) as string[];
    const slots: Record<string, number> = {};
    for (const entry of await store.list()) slots[entry.id] = (await store.load(entry.id)).snapshot.worldTime;
    return { log, slots };
  },
};

(globalThis as unknown as { tx2: typeof api }).tx2 = api;
