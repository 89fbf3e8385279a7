// A seeded simulation run the same way on every ECS: spawns, despawns, references (a target field
// and a parent relation), a nested component (an inventory) and a transient one (a sprite handle).
// Entities are always visited in `serial` order, so a run never depends on the ids a world hands out.

export interface Body {
  x: number;
  y: number;
  vx: number;
  vy: number;
  hp: number;
}

export interface Item {
  kind: string;
  count: number;
}

/** What the driver needs from one ECS world; `E` is the library's entity handle. */
export interface SimOps<W, E> {
  entities(world: W): E[];
  serial(world: W, e: E): number;
  body(world: W, e: E): Body;
  setBody(world: W, e: E, body: Body): void;
  target(world: W, e: E): E | undefined;
  setTarget(world: W, e: E, target: E | undefined): void;
  parent(world: W, e: E): E | undefined;
  /** The hp a child loses per tick: data of the parent relation (relation store data where the ECS has it). */
  drain(world: W, e: E): number;
  setParent(world: W, e: E, parent: E | undefined, drain: number): void;
  items(world: W, e: E): Item[];
  addItem(world: W, e: E, item: Item): void;
  sprite(world: W, e: E): unknown;
  spawn(world: W, serial: number, body: Body): E;
  despawn(world: W, e: E): void;
  rng(world: W): { state: number };
  setRng(world: W, state: number): void;
  clock(world: W): { tick: number; nextSerial: number };
  setClock(world: W, clock: { tick: number; nextSerial: number }): void;
}

/** mulberry32: one step of the generator kept in the world's rng resource. */
function next<W, E>(ops: SimOps<W, E>, world: W): number {
  const s = (ops.rng(world).state + 0x6d2b79f5) >>> 0;
  ops.setRng(world, s);
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function sorted<W, E>(ops: SimOps<W, E>, world: W): E[] {
  return ops.entities(world).sort((a, b) => ops.serial(world, a) - ops.serial(world, b));
}

function remove<W, E>(ops: SimOps<W, E>, world: W, victim: E): void {
  // A game drops references to an entity before it goes: no reference ever dangles.
  for (const e of ops.entities(world)) {
    if (ops.target(world, e) === victim) ops.setTarget(world, e, undefined);
    if (ops.parent(world, e) === victim) ops.setParent(world, e, undefined, 0);
  }
  ops.despawn(world, victim);
}

function spawnOne<W, E>(ops: SimOps<W, E>, world: W, others: E[]): void {
  const clock = ops.clock(world);
  ops.setClock(world, { ...clock, nextSerial: clock.nextSerial + 1 });
  const body = { x: next(ops, world) * 100, y: next(ops, world) * 100, vx: next(ops, world) - 0.5, vy: next(ops, world) - 0.5, hp: 20 + Math.floor(next(ops, world) * 80) };
  const e = ops.spawn(world, clock.nextSerial, body);
  if (others.length > 0) ops.setTarget(world, e, others[Math.floor(next(ops, world) * others.length)]);
  if (others.length > 0 && next(ops, world) < 0.5) {
    const parent = others[Math.floor(next(ops, world) * others.length)];
    ops.setParent(world, e, parent, 1 + Math.floor(next(ops, world) * 3));
  }
}

/** Seeds a world: the rng, the clock and `count` entities. */
export function seed<W, E>(ops: SimOps<W, E>, world: W, seedValue: number, count: number): void {
  ops.setRng(world, seedValue >>> 0);
  ops.setClock(world, { tick: 0, nextSerial: 1 });
  for (let i = 0; i < count; i++) spawnOne(ops, world, sorted(ops, world));
}

/** One step of the simulation. */
export function tick<W, E>(ops: SimOps<W, E>, world: W): void {
  const all = sorted(ops, world);
  for (const e of all) {
    const b = ops.body(world, e);
    const t = ops.target(world, e);
    if (t !== undefined) {
      const tb = ops.body(world, t);
      b.vx += (tb.x - b.x) * 0.01;
      b.vy += (tb.y - b.y) * 0.01;
    }
    b.x += b.vx;
    b.y += b.vy;
    if (ops.parent(world, e) !== undefined) b.hp -= ops.drain(world, e);
    ops.setBody(world, e, b);
  }
  for (const e of all) if (ops.body(world, e).hp <= 0) remove(ops, world, e);
  const alive = sorted(ops, world);
  if (next(ops, world) < 0.7) spawnOne(ops, world, alive);
  if (alive.length > 5 && next(ops, world) < 0.4) remove(ops, world, alive[Math.floor(next(ops, world) * alive.length)]!);
  const now = sorted(ops, world);
  if (now.length > 0) {
    const e = now[Math.floor(next(ops, world) * now.length)]!;
    ops.addItem(world, e, { kind: ['ore', 'gem', 'wood'][Math.floor(next(ops, world) * 3)]!, count: 1 + Math.floor(next(ops, world) * 5) });
  }
  const clock = ops.clock(world);
  ops.setClock(world, { ...clock, tick: clock.tick + 1 });
}

/** The world as plain data, with references as serials: equal for equal states whatever the ids. */
export function canonical<W, E>(ops: SimOps<W, E>, world: W): unknown {
  const serialOf = (e: E | undefined): number | null => (e === undefined ? null : ops.serial(world, e));
  return {
    rng: ops.rng(world).state,
    clock: ops.clock(world),
    entities: sorted(ops, world).map((e) => ({
      serial: ops.serial(world, e),
      ...ops.body(world, e),
      target: serialOf(ops.target(world, e)),
      parent: serialOf(ops.parent(world, e)),
      drain: ops.parent(world, e) === undefined ? null : ops.drain(world, e),
      items: ops.items(world, e),
      sprite: ops.sprite(world, e),
    })),
  };
}

/** Runs `ticks` steps. */
export function run<W, E>(ops: SimOps<W, E>, world: W, ticks: number): void {
  for (let i = 0; i < ticks; i++) tick(ops, world);
}
