// The browser-save example: a simulation of moving entities with save slots in IndexedDB, a
// checkpoint of every tick (an IndexedDB checkpoint chain, stored as deltas), a slider that scrubs
// back in time through an in-memory TimeTravel history, and forks that continue from any moment.
import { CheckpointManager, IndexedDBBackend, SnapshotStore } from '@tx2/pack-store';
import { TimeTravel } from '@tx2/pack-timetravel';
import { ARENA, createWorld, fingerprint, fromSnapshot, step, toSnapshot, type World } from './simulation.js';

const ENTITIES = 400;
const SLOTS = ['slot-1', 'slot-2', 'slot-3'] as const;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('arena');
const status = $<HTMLOutputElement>('status');
const scrub = $<HTMLInputElement>('scrub');
const context = canvas.getContext('2d')!;

// Saves and checkpoints live in two IndexedDB databases of this origin: they survive reloads.
const saves = new SnapshotStore(new IndexedDBBackend('browser-save-slots'));
const checkpoints = new CheckpointManager(new IndexedDBBackend('browser-save-checkpoints'));
let history = new TimeTravel();
let world: World = createWorld(ENTITIES, 42);
let playing = false;
let forks = 0;
let busy: Promise<void> = Promise.resolve();
// Checkpoint ids of this visit: a reload, a load or a fork replays ticks already checkpointed before.
const visit = crypto.randomUUID().slice(0, 8);

/** Runs `work` after everything queued before it: the buttons never interleave their storage calls. */
function queue(work: () => Promise<void>): Promise<void> {
  busy = busy.then(work).catch((error: unknown) => {
    show(`error: ${error instanceof Error ? error.message : String(error)}`);
  });
  return busy;
}

function show(message: string): void {
  status.value = message;
  document.body.dataset.fingerprint = fingerprint(world);
  document.body.dataset.tick = String(world.tick);
  document.body.dataset.timeline = history.timeline;
}

function draw(): void {
  context.fillStyle = '#10131a';
  context.fillRect(0, 0, ARENA.width, ARENA.height);
  for (let i = 0; i < world.ids.length; i++) {
    context.fillStyle = `hsl(${world.hue[i]} 80% 60%)`;
    context.fillRect(world.x[i]! - 2, world.y[i]! - 2, 4, 4);
  }
}

/** One tick: move, record it in the history, checkpoint it in IndexedDB, draw. */
async function tick(): Promise<void> {
  step(world);
  const snapshot = toSnapshot(world);
  history.record(world.tick, snapshot);
  await checkpoints.createCheckpoint(`${visit}-${history.timeline}-${world.tick}`, snapshot);
  scrub.max = String(history.latestTime ?? 0);
  scrub.value = scrub.max;
  draw();
  show(`tick ${world.tick} on timeline "${history.timeline}"`);
}

async function run(ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i++) await tick();
}

async function loop(): Promise<void> {
  if (!playing) return;
  await queue(tick);
  requestAnimationFrame(() => void loop());
}

$('play').addEventListener('click', () => {
  playing = !playing;
  $('play').textContent = playing ? 'Pause' : 'Play';
  void loop();
});
$('step').addEventListener('click', () => void queue(() => run(10)));

for (const slot of SLOTS) {
  $(`save-${slot}`).addEventListener(
    'click',
    () =>
      void queue(async () => {
        await saves.save(toSnapshot(world), slot);
        show(`saved tick ${world.tick} to ${slot}`);
        await listSlots();
      }),
  );
  $(`load-${slot}`).addEventListener(
    'click',
    () =>
      void queue(async () => {
        if (!(await saves.exists(slot))) return show(`${slot} is empty`);
        const { snapshot } = await saves.load(slot);
        world = fromSnapshot(snapshot);
        history = new TimeTravel();
        history.record(world.tick, snapshot);
        scrub.max = scrub.value = String(world.tick);
        draw();
        show(`loaded tick ${world.tick} from ${slot}`);
      }),
  );
}

// Scrubbing shows a past moment without changing the history; Fork continues from it.
scrub.addEventListener(
  'input',
  () =>
    void queue(async () => {
      const moment = history.seekToTime(Number(scrub.value));
      if (moment === undefined) return;
      world = fromSnapshot(moment.snapshot);
      draw();
      show(`viewing tick ${world.tick} of timeline "${history.timeline}"`);
    }),
);
$('fork').addEventListener(
  'click',
  () =>
    void queue(async () => {
      const name = `fork-${++forks}`;
      history.forkTimeline(name, world.tick);
      history.switchTimeline(name);
      show(`forked "${name}" at tick ${world.tick}`);
    }),
);

async function listSlots(): Promise<void> {
  const saved = await saves.list();
  $('slots').textContent = saved.map((m) => `${m.id}: tick ${m.worldTime}`).join(' · ') || 'no saves yet';
}

// For the tests and the curious: the page's state, read-only.
Object.assign(globalThis, {
  browserSave: {
    state: () => ({ tick: world.tick, fingerprint: fingerprint(world), timeline: history.timeline, frames: history.length }),
    checkpoints: async () => (await checkpoints.listCheckpoints()).length,
    idle: () => busy,
  },
});

draw();
show('ready');
void listSlots();
document.body.dataset.ready = 'true';
