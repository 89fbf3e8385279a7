import { describe, expect, it } from 'vitest';
import { type CheckpointSource, ReplayEngine, SnapshotCache } from '../src/index.js';
import { world } from './helpers.js';
import { packErrorOf } from '../../../test-support/pack-errors.js';

const source = (list: () => Promise<unknown>, load: (id: string) => Promise<unknown> = async () => ({ snapshot: world(0) })): CheckpointSource =>
  ({ listCheckpoints: list, loadCheckpoint: load }) as CheckpointSource;

describe('bad arguments', () => {
  it('options that are not an object, or of the wrong type', async () => {
    for (const options of [null, 3, 'fast', []]) expect((await packErrorOf(() => new ReplayEngine(options as never))).code).toBe('InvalidInput');
    expect((await packErrorOf(() => new ReplayEngine({ loop: 'yes' as never }))).details).toEqual({ option: 'loop', value: 'yes' });
    expect((await packErrorOf(() => new ReplayEngine({ prefetch: 1 as never }))).details).toEqual({ option: 'prefetch', value: 1 });
    for (const cacheSize of [0, -1, 1.5, Number.NaN, '4']) {
      const error = await packErrorOf(() => new ReplayEngine({ cacheSize: cacheSize as never }));
      expect(error.message).toMatch(/^cacheSize must be an integer >= 1 \(a number of snapshots\)/);
      expect(error.details).toEqual({ option: 'cacheSize', value: cacheSize });
    }
  });

  it('play, frames and onFrame', async () => {
    const e = new ReplayEngine();
    e.addCheckpoint('a', world(0));
    expect((await packErrorOf(() => e.play(null as never))).code).toBe('InvalidInput');
    expect((await packErrorOf(() => e.play({ speed: '2' as never }))).message).toMatch(/speed must be a finite number/);
    expect((await packErrorOf(() => e.frames(null as never).next())).code).toBe('InvalidInput');
    expect((await packErrorOf(() => e.frames({ direction: 'sideways' as never }).next())).message).toMatch(/direction must be 'forward' or 'backward'/);
    expect((await packErrorOf(() => e.onFrame(3 as never))).message).toMatch(/onFrame takes a function/);
    expect(e.isPlaying).toBe(false);
  });

  it('SnapshotCache refuses a capacity that is not a count of snapshots, and a load that is not a function', async () => {
    for (const capacity of [0, -2, 2.5, Infinity, Number.NaN])
      expect((await packErrorOf(() => new SnapshotCache(capacity))).details).toEqual({ option: 'cacheSize', value: capacity });
    expect((await packErrorOf(() => new SnapshotCache(1).get(0, 'load' as never))).code).toBe('InvalidInput');
  });
});

describe('checkpoint sources', () => {
  it('loadFromManager refuses what is not a source, and lists that are not lists of ids; the content is unchanged', async () => {
    const e = new ReplayEngine();
    e.addCheckpoint('kept', world(7));
    for (const manager of [null, {}, { listCheckpoints: async () => [] }]) {
      expect((await packErrorOf(() => e.loadFromManager(manager as never))).message).toMatch(/^loadFromManager needs a CheckpointManager/);
    }
    expect((await packErrorOf(() => e.loadFromManager(source(async () => 3)))).message).toMatch(/must resolve to an array of \{ id \}, got number/);
    const missing = await packErrorOf(() => e.loadFromManager(source(async () => [{ id: 'a' }, null])));
    expect(missing.details).toEqual({ index: 1 });
    expect((await packErrorOf(() => e.loadFromManager(source(async () => [{ id: '' }])))).code).toBe('InvalidInput');
    expect(e.ids()).toEqual(['kept']);
  });

  it("a source's own failure is an Io PackError naming the checkpoint, with the original as its cause", async () => {
    const listing = new TypeError('connection reset');
    const listError = await packErrorOf(() => new ReplayEngine().loadFromManager(source(() => Promise.reject(listing))));
    expect(listError.code).toBe('Io');
    expect(listError.cause).toBe(listing);

    const boom = new RangeError('disk on fire');
    const e = new ReplayEngine({ prefetch: false });
    await e.loadFromManager(
      source(
        async () => [{ id: 'a' }, { id: 'b' }],
        async (id) => (id === 'a' ? Promise.reject(boom) : {}),
      ),
    );
    const loadError = await packErrorOf(() => e.current());
    expect(loadError.code).toBe('Io');
    expect(loadError.message).toBe('loading checkpoint "a" failed: disk on fire');
    expect(loadError.details).toEqual({ checkpoint: 'a', index: 0 });
    expect(loadError.cause).toBe(boom);
    // A source resolving to something that is not a snapshot is refused, not handed out.
    const shapeError = await packErrorOf(() => e.next());
    expect(shapeError.code).toBe('InvalidInput');
    expect(shapeError.details).toEqual({ checkpoint: 'b', index: 1 });
  });

  it("a source's PackErrors pass through unchanged", async () => {
    const e = new ReplayEngine({ prefetch: false });
    const { PackError } = await import('@tx2/pack-format');
    const own = new PackError('SnapshotNotFound', 'no checkpoint "a"');
    await e.loadFromManager(
      source(
        async () => [{ id: 'a' }],
        () => Promise.reject(own),
      ),
    );
    expect(await e.current().catch((error: unknown) => error)).toBe(own);
  });
});
