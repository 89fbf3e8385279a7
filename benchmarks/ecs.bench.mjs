// Save and load of ECS worlds through @tx2/pack-ecs versus each library's own route, same run:
//   bitECS   saveWorld + encodeSnapshot   vs  bitecs/serialization createSnapshotSerializer (buffer sized to the world)
//   koota    saveWorld + encodeSnapshot   vs  records per entity → JSON / msgpackr (the glue a user writes)
//   miniplex saveWorld + encodeSnapshot   vs  entities with pointers as ids → JSON / msgpackr
// Load: decodeSnapshot + loadWorld into a fresh world vs the library's own deserializer / parse + spawn + remap.
// Entity creation (the entities and their components, no data) is measured apart: every loader pays it.
//
//   pnpm bench:ecs                       (repo root: 10k and 100k entities)
//   --entities 10000 / --time-scale 0.5 / --no-write
//
// World: Position {x, y} and Velocity {x, y} (f32 in bitECS, numbers elsewhere), Health {hp} (i32),
// and a reference to another entity on every fourth entity (a bitECS `ref` field, a koota relation,
// a miniplex object pointer).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadWorld as loadBitecs, saveWorld as saveBitecs } from '@tx2/pack-ecs/bitecs';
import { loadWorld as loadKoota, saveWorld as saveKoota } from '@tx2/pack-ecs/koota';
import { loadWorld as loadMiniplex, saveWorld as saveMiniplex } from '@tx2/pack-ecs/miniplex';
import { packOptions, readOptions } from '@tx2/pack-codecs';
import { decodeSnapshot, encodeSnapshot } from '@tx2/pack-format';
import * as bitecs from 'bitecs';
import { createSnapshotDeserializer, createSnapshotSerializer, ref } from 'bitecs/serialization';
import * as koota from 'koota';
import { World as MiniplexWorld } from 'miniplex';
import { pack, unpack } from 'msgpackr';
import { Bench } from 'tinybench';

import { benchOptions, fmtMs, gitInfo, localDate, machineLine, readVersion, writeResults } from './bench-env.mjs';
import { mulberry32 } from './world.mjs';

const { sizes, timeScale, write } = benchOptions({ defaultSizes: [10_000, 100_000] });
const gc = globalThis.gc ?? (() => {});

/** Median milliseconds of `fn` under tinybench; `after` runs untimed after each iteration. */
async function median(name, fn, n, after) {
  const bench = new Bench({ time: (n >= 100_000 ? 1000 : 500) * timeScale, iterations: 5, warmupTime: 50 * timeScale, warmupIterations: 2 });
  bench.add(name, fn, after === undefined ? {} : { afterEach: after });
  gc();
  await bench.run();
  const task = bench.tasks[0];
  if (task.result?.state !== 'completed') throw new Error(`${name}: ${task.result?.error ?? 'did not complete'}`);
  return task.result.latency.p50;
}

/** The same logical world for every library: values and reference targets by entity index. */
function worldData(n) {
  const rand = mulberry32(n);
  const data = { x: new Float32Array(n), y: new Float32Array(n), vx: new Float32Array(n), vy: new Float32Array(n), hp: new Int32Array(n), target: new Int32Array(n).fill(-1) };
  for (let i = 0; i < n; i++) {
    data.x[i] = rand() * 1000;
    data.y[i] = rand() * 1000;
    data.vx[i] = rand() - 0.5;
    data.vy[i] = rand() - 0.5;
    data.hp[i] = Math.floor(rand() * 100);
    if (i % 4 === 0) data.target[i] = Math.floor(rand() * n);
  }
  return data;
}

// ---- bitECS ---------------------------------------------------------------------------------

function bitecsCase(n, data) {
  const cap = n + 2;
  const Position = { x: new Float32Array(cap), y: new Float32Array(cap) };
  const Velocity = { x: new Float32Array(cap), y: new Float32Array(cap) };
  const Health = { hp: new Int32Array(cap) };
  const Target = { eid: ref([]) };
  const components = [Position, Velocity, Health, Target];
  const registry = { components: { Position: { component: Position }, Velocity: { component: Velocity }, Health: { component: Health }, Target: { component: Target } } };
  const world = bitecs.createWorld();
  const eids = [];
  for (let i = 0; i < n; i++) {
    const e = bitecs.addEntity(world);
    eids.push(e);
    bitecs.addComponent(world, e, Position);
    bitecs.addComponent(world, e, Velocity);
    bitecs.addComponent(world, e, Health);
    Position.x[e] = data.x[i];
    Position.y[e] = data.y[i];
    Velocity.x[e] = data.vx[i];
    Velocity.y[e] = data.vy[i];
    Health.hp[e] = data.hp[i];
  }
  for (let i = 0; i < n; i++) {
    if (data.target[i] < 0) continue;
    bitecs.addComponent(world, eids[i], Target);
    Target.eid[eids[i]] = eids[data.target[i]];
  }
  // Sized to the world: per entity an id and per component an id and its values.
  const bytesPerEntity = 4 + 4 * (1 + 8) + 4 * (1 + 8) + 4 * (1 + 4) + 4 * (1 + 4);
  const serialize = createSnapshotSerializer(world, components, new ArrayBuffer(n * bytesPerEntity + 1024));
  const checksum = (w) => {
    let s = 0;
    for (const e of bitecs.query(w, [Position])) s += Position.x[e];
    let refs = 0;
    for (const e of bitecs.query(w, [Target])) refs += Position.x[Target.eid[e]];
    return `${s.toFixed(3)}/${refs.toFixed(3)}`;
  };
  const expected = checksum(world);
  const worlds = [];
  const fresh = () => {
    const w = bitecs.createWorld();
    worlds.push(w);
    return w;
  };
  const drop = () => {
    for (const w of worlds.splice(0)) bitecs.deleteWorld(w);
  };
  return {
    library: 'bitECS',
    ownRoutes: { 'bitecs/serialization': { save: () => serialize().slice(0), load: (buf) => createSnapshotDeserializer(fresh(), components)(buf) } },
    snap: () => saveBitecs(world, registry),
    restore: (snapshot) => loadBitecs(snapshot, registry, { into: fresh() }),
    create: () => {
      const w = fresh();
      for (let i = 0; i < n; i++) {
        const e = bitecs.addEntity(w);
        bitecs.addComponent(w, e, Position);
        bitecs.addComponent(w, e, Velocity);
        bitecs.addComponent(w, e, Health);
        if (data.target[i] >= 0) bitecs.addComponent(w, e, Target);
      }
    },
    verify: () => {
      const own = bitecs.createWorld();
      createSnapshotDeserializer(own, components)(serialize().slice(0));
      if (checksum(own) !== expected) throw new Error('bitECS own route differs');
      const { world: a } = loadBitecs(decodeSnapshot(encodeSnapshot(saveBitecs(world, registry))), registry, { into: fresh() });
      if (checksum(a) !== expected) throw new Error('bitECS adapter round trip differs');
    },
    drop,
  };
}

// ---- koota ----------------------------------------------------------------------------------

function kootaCase(n, data) {
  const Position = koota.trait({ x: 0, y: 0 });
  const Velocity = koota.trait({ x: 0, y: 0 });
  const Health = koota.trait({ hp: 0 });
  const Targets = koota.relation({ exclusive: true });
  const registry = {
    components: { Position: { trait: Position }, Velocity: { trait: Velocity }, Health: { trait: Health, fields: { hp: 'i32' } }, Targets: { relation: Targets } },
  };
  const world = koota.createWorld();
  const es = [];
  for (let i = 0; i < n; i++) es.push(world.spawn(Position({ x: data.x[i], y: data.y[i] }), Velocity({ x: data.vx[i], y: data.vy[i] }), Health({ hp: data.hp[i] })));
  for (let i = 0; i < n; i++) if (data.target[i] >= 0) es[i].add(Targets(es[data.target[i]]));
  // The glue a user writes: one record per entity, the reference as the target's number.
  const records = () =>
    world.query(Position).map((e) => {
      const t = e.targetFor(Targets);
      return { id: e >>> 0, p: e.get(Position), v: e.get(Velocity), h: e.get(Health).hp, t: t === undefined ? -1 : t >>> 0 };
    });
  const restore = (list) => {
    const w = fresh();
    const map = new Map();
    for (const r of list) map.set(r.id, w.spawn(Position(r.p), Velocity(r.v), Health({ hp: r.h })));
    for (const r of list) if (r.t >= 0) map.get(r.id).add(Targets(map.get(r.t)));
    return w;
  };
  const checksum = (w) => {
    let s = 0;
    let refs = 0;
    for (const e of w.query(Position)) {
      s += e.get(Position).x;
      const t = e.targetFor(Targets);
      if (t !== undefined) refs += t.get(Position).x;
    }
    return `${s.toFixed(3)}/${refs.toFixed(3)}`;
  };
  const expected = checksum(world);
  const worlds = [];
  const fresh = () => {
    const w = koota.createWorld();
    worlds.push(w);
    return w;
  };
  const drop = () => {
    for (const w of worlds.splice(0)) w.destroy();
  };
  return {
    library: 'koota',
    ownRoutes: {
      JSON: { save: () => new TextEncoder().encode(JSON.stringify(records())), load: (bytes) => restore(JSON.parse(new TextDecoder().decode(bytes))) },
      msgpackr: { save: () => pack(records()), load: (bytes) => restore(unpack(bytes)) },
    },
    snap: () => saveKoota(world, registry),
    restore: (snapshot) => loadKoota(snapshot, registry, { into: fresh() }),
    create: () => {
      const w = fresh();
      const made = [];
      for (let i = 0; i < n; i++) made.push(w.spawn(Position, Velocity, Health));
      for (let i = 0; i < n; i++) if (data.target[i] >= 0) made[i].add(Targets(made[data.target[i]]));
    },
    verify: () => {
      const own = restore(unpack(pack(records())));
      if (checksum(own) !== expected) throw new Error('koota own route differs');
      const { world: a } = loadKoota(decodeSnapshot(encodeSnapshot(saveKoota(world, registry))), registry, { into: fresh() });
      if (checksum(a) !== expected) throw new Error('koota adapter round trip differs');
      drop();
    },
    drop,
  };
}

// ---- miniplex -------------------------------------------------------------------------------

function miniplexCase(n, data) {
  const registry = {
    components: {
      position: { fields: { x: 'f64', y: 'f64' } },
      velocity: { fields: { x: 'f64', y: 'f64' } },
      health: { fields: { hp: 'i32' } },
      target: { type: 'entity' },
    },
  };
  const world = new MiniplexWorld();
  const es = [];
  for (let i = 0; i < n; i++) es.push(world.add({ position: { x: data.x[i], y: data.y[i] }, velocity: { x: data.vx[i], y: data.vy[i] }, health: { hp: data.hp[i] } }));
  for (let i = 0; i < n; i++) if (data.target[i] >= 0) es[i].target = es[data.target[i]];
  // The glue a user writes: pointers as world ids, then back to objects.
  const records = () =>
    world.entities.map((e) => ({ id: world.id(e), position: e.position, velocity: e.velocity, health: e.health, target: e.target === undefined ? -1 : world.id(e.target) }));
  const restore = (list) => {
    const w = new MiniplexWorld();
    const map = new Map();
    for (const r of list) map.set(r.id, { position: r.position, velocity: r.velocity, health: r.health });
    for (const r of list) if (r.target >= 0) map.get(r.id).target = map.get(r.target);
    for (const e of map.values()) w.add(e);
    return w;
  };
  const checksum = (w) => {
    let s = 0;
    let refs = 0;
    for (const e of w.entities) {
      s += e.position.x;
      if (e.target !== undefined) refs += e.target.position.x;
    }
    return `${s.toFixed(3)}/${refs.toFixed(3)}`;
  };
  const expected = checksum(world);
  return {
    library: 'miniplex',
    ownRoutes: {
      JSON: { save: () => new TextEncoder().encode(JSON.stringify(records())), load: (bytes) => restore(JSON.parse(new TextDecoder().decode(bytes))) },
      msgpackr: { save: () => pack(records()), load: (bytes) => restore(unpack(bytes)) },
    },
    snap: () => saveMiniplex(world, registry),
    restore: (snapshot) => loadMiniplex(snapshot, registry),
    create: () => {
      const w = new MiniplexWorld();
      const made = [];
      for (let i = 0; i < n; i++) made.push({ position: { x: 0, y: 0 }, velocity: { x: 0, y: 0 }, health: { hp: 0 } });
      for (let i = 0; i < n; i++) if (data.target[i] >= 0) made[i].target = made[data.target[i]];
      for (const e of made) w.add(e);
    },
    verify: () => {
      if (checksum(restore(unpack(pack(records())))) !== expected) throw new Error('miniplex own route differs');
      const { world: a } = loadMiniplex(decodeSnapshot(encodeSnapshot(saveMiniplex(world, registry))), registry);
      if (checksum(a) !== expected) throw new Error('miniplex adapter round trip differs');
    },
    drop: () => {},
  };
}

// ---- run ------------------------------------------------------------------------------------

const zstd = await packOptions();
const codecs = await readOptions();
const rows = [];
for (const n of sizes) {
  const data = worldData(n);
  for (const make of [bitecsCase, kootaCase, miniplexCase]) {
    const c = make(n, data);
    c.verify();
    c.drop();
    process.stderr.write(`N=${n} ${c.library}: measuring\n`);
    let sink;
    const adapterBytes = encodeSnapshot(c.snap());
    const zstdBytes = encodeSnapshot(c.snap(), zstd);
    const row = {
      n,
      library: c.library,
      adapter: {
        bytes: adapterBytes.length,
        save: await median('adapter save', () => (sink = encodeSnapshot(c.snap())), n),
        load: await median('adapter load', () => (sink = c.restore(decodeSnapshot(adapterBytes))), n, c.drop),
      },
      adapterZstd: {
        bytes: zstdBytes.length,
        save: await median('adapter save zstd', () => (sink = encodeSnapshot(c.snap(), zstd)), n),
        load: await median('adapter load zstd', () => (sink = c.restore(decodeSnapshot(zstdBytes, codecs))), n, c.drop),
      },
      create: await median('entity creation', () => (sink = c.create()), n, c.drop),
      own: {},
    };
    for (const [name, route] of Object.entries(c.ownRoutes)) {
      const bytes = route.save();
      row.own[name] = {
        bytes: bytes.byteLength,
        save: await median(`${name} save`, () => (sink = route.save()), n),
        load: await median(`${name} load`, () => (sink = route.load(bytes)), n, c.drop),
      };
    }
    c.drop();
    void sink;
    rows.push(row);
  }
}

const lines = [];
lines.push("# ECS adapters vs each library's own serialization", '', machineLine(), '');
lines.push(
  `bitecs ${readVersion('bitecs')}, koota ${readVersion('koota')}, miniplex ${readVersion('miniplex')}, msgpackr ${readVersion('msgpackr')}, tinybench ${readVersion('tinybench')}; median ms of one tinybench run.`,
  'Adapter save = `saveWorld` + `encodeSnapshot` (no compression; + zstd-1: `packOptions()` of @tx2/pack-codecs); load = `decodeSnapshot` + `loadWorld` into a fresh world.',
  'Ratios: own route ÷ adapter (> 1: the adapter is faster / smaller). Entity creation = the entities and their components without data, which every loader pays.',
  '',
);
lines.push(
  '| N | library | route | bytes | save ms | load ms | own/adapter bytes | own/adapter save | own/adapter load | entity creation ms |',
  '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|',
);
for (const r of rows) {
  lines.push(
    `| ${r.n.toLocaleString('en')} | ${r.library} | @tx2/pack-ecs | ${r.adapter.bytes.toLocaleString('en')} | ${fmtMs(r.adapter.save)} | ${fmtMs(r.adapter.load)} | | | | ${fmtMs(r.create)} |`,
  );
  for (const [name, o] of Object.entries(r.own)) {
    const z = r.adapterZstd;
    lines.push(
      `| ${r.n.toLocaleString('en')} | ${r.library} | ${name} | ${o.bytes.toLocaleString('en')} | ${fmtMs(o.save)} | ${fmtMs(o.load)} | ${(o.bytes / r.adapter.bytes).toFixed(2)} (zstd ${(o.bytes / z.bytes).toFixed(2)}) | ${(o.save / r.adapter.save).toFixed(2)} (zstd ${(o.save / z.save).toFixed(2)}) | ${(o.load / r.adapter.load).toFixed(2)} (zstd ${(o.load / z.load).toFixed(2)}) | |`,
    );
  }
}
const markdown = `${lines.join('\n')}\n`;
process.stdout.write(markdown);
if (write) {
  const file = writeResults('ecs', markdown);
  writeFileSync(
    join(file, '..', `ecs-${localDate(new Date())}.json`),
    `${JSON.stringify({ machine: machineLine(), git: gitInfo(['packages/ecs', 'packages/format'], 'dirty'), rows }, null, 2)}\n`,
  );
}
