// Schema migrations: snapshots saved under an older application schema (`schemaVersion`)
// are brought up to the running one as they are decoded, step by step.
import { isPackError, PackError } from './errors.js';
import type { Manifest } from './manifest.js';
import type { PackedSnapshot } from './model.js';

/** A change of one snapshot, as migration steps are written (return a new snapshot; never modify the input's arrays). */
export type SnapshotTransform = (snapshot: PackedSnapshot) => PackedSnapshot;

/** One step: turns a snapshot of schema version `from` into one of version `to`. */
export interface Migration {
  from: number;
  to: number;
  /** The change, or several applied in order (such as the helpers `addField`, `renameField`, …). */
  migrate: SnapshotTransform | readonly SnapshotTransform[];
}

/** A validated set of migration steps and the schema version the program runs. */
export interface Migrations {
  /** The running schema version: snapshots are migrated up to it, newer ones are refused. */
  readonly current: number;
  readonly steps: readonly Migration[];
}

/** Options of {@link defineMigrations}. */
export interface DefineMigrationsOptions {
  /** The running schema version (default: the highest `to` of the steps, or 0 without steps). */
  current?: number;
}

/** The answer of {@link canLoad}: whether a save can be loaded, and through which versions. */
export type LoadCheck =
  | { ok: true; from: number; to: number /** The versions the snapshot passes through, `from` first and `to` last. */; path: number[] }
  | { ok: false; from: number; to: number; code: 'VersionMismatch' | 'SchemaMismatch'; reason: string };

const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/**
 * Checks and freezes migration steps: integer versions, `from` < `to`, one step from each version,
 * `to` no higher than the current version. Throws InvalidInput naming the bad step.
 */
export function defineMigrations(steps: readonly Migration[], options: DefineMigrationsOptions = {}): Migrations {
  if (!Array.isArray(steps)) throw new PackError('InvalidInput', 'defineMigrations needs an array of { from, to, migrate } steps');
  const byFrom = new Set<number>();
  steps.forEach((step, i) => {
    if (typeof step !== 'object' || step === null || !isVersion(step.from) || !isVersion(step.to) || step.from >= step.to) {
      throw new PackError('InvalidInput', `migration ${i} needs integer versions with from < to`, { details: { step: i } });
    }
    const fns: readonly unknown[] = Array.isArray(step.migrate) ? step.migrate : [step.migrate];
    if (fns.length === 0 || !fns.every((f) => typeof f === 'function'))
      throw new PackError('InvalidInput', `migration ${i} (${step.from} → ${step.to}) needs a migrate function or a list of them`, { details: { step: i } });
    if (byFrom.has(step.from)) throw new PackError('InvalidInput', `two migrations start at schema version ${step.from}: keep one path`, { details: { step: i, from: step.from } });
    byFrom.add(step.from);
  });
  const highest = steps.reduce((max, s) => Math.max(max, s.to), steps.length === 0 ? 0 : Number.NEGATIVE_INFINITY);
  const current = options.current ?? highest;
  if (!isVersion(current)) throw new PackError('InvalidInput', `the current schema version must be an integer, got ${String(current)}`);
  const past = steps.find((s) => s.to > current);
  if (past !== undefined)
    throw new PackError('InvalidInput', `migration ${past.from} → ${past.to} goes past the current schema version ${current}`, { details: { from: past.from, to: past.to } });
  return Object.freeze({ current, steps: Object.freeze([...steps].sort((a, b) => a.from - b.from)) });
}

/** Whether a save of `schemaVersion` can be loaded under `migrations`, before loading it (from a manifest, a snapshot or a number). */
export function canLoad(saved: Pick<Manifest, 'schemaVersion'> | number, migrations: Migrations): LoadCheck {
  const from = typeof saved === 'number' ? saved : saved?.schemaVersion;
  const to = migrations.current;
  if (!isVersion(from)) {
    return { ok: false, from: from as number, to, code: 'SchemaMismatch', reason: `the save's schema version ${String(from)} is not an integer, so no migration applies` };
  }
  if (from > to) {
    return {
      ok: false,
      from,
      to,
      code: 'VersionMismatch',
      reason: `the save was written with schema version ${from}, newer than this program's ${to}: load it with a newer version of the program`,
    };
  }
  const path = [from];
  let at = from;
  while (at < to) {
    const step = migrations.steps.find((s) => s.from === at);
    if (step === undefined)
      return { ok: false, from, to, code: 'SchemaMismatch', reason: `no migration starts at schema version ${at} (on the way from ${from} to ${to}): add one` };
    at = step.to;
    path.push(at);
  }
  return { ok: true, from, to, path };
}

/** Brings a snapshot up to `migrations.current`, step by step; a newer or unreachable schema version is a PackError. */
export function migrateSnapshot(snapshot: PackedSnapshot, migrations: Migrations): PackedSnapshot {
  const check = canLoad(snapshot, migrations);
  if (!check.ok) throw new PackError(check.code, check.reason, { details: { schemaVersion: check.from, current: check.to } });
  let out = snapshot;
  for (let k = 1; k < check.path.length; k++) {
    const step = migrations.steps.find((s) => s.from === check.path[k - 1])!;
    for (const fn of Array.isArray(step.migrate) ? step.migrate : [step.migrate as SnapshotTransform]) {
      let next: unknown;
      try {
        next = fn(out);
      } catch (error) {
        if (isPackError(error)) throw error;
        throw new PackError('SchemaMismatch', `the migration from schema version ${step.from} to ${step.to} failed: ${String((error as Error)?.message ?? error)}`, {
          details: { from: step.from, to: step.to },
          cause: error,
        });
      }
      if (typeof next !== 'object' || next === null) throw new PackError('InvalidInput', `the migration from schema version ${step.from} to ${step.to} returned no snapshot`);
      out = next as PackedSnapshot;
    }
    out = { ...out, schemaVersion: step.to };
  }
  return out;
}
