// The delta policy shared by store checkpoints (`incremental`) and time-travel frames (`keyframes`).
import { describe, expect, it } from 'vitest';
import { isPackError, resolveDeltaPolicy, withinDeltaRatio, withinFullEvery, type DeltaPolicy, type ResolvedDeltaPolicy } from '../src/index.js';

const DEFAULTS: ResolvedDeltaPolicy = { fullEvery: 10, maxDeltaRatio: 0.5 };

function refusal(policy: unknown, option = 'incremental'): { message: string; details: Record<string, unknown> } {
  try {
    resolveDeltaPolicy(policy as DeltaPolicy, DEFAULTS, option);
  } catch (error) {
    expect(isPackError(error, 'InvalidInput')).toBe(true);
    return error as { message: string; details: Record<string, unknown> };
  }
  throw new Error(`expected ${JSON.stringify(policy)} to be refused`);
}

describe('resolveDeltaPolicy', () => {
  it('fills in the defaults, keeps what is given, and returns a frozen policy', () => {
    expect(resolveDeltaPolicy(undefined, DEFAULTS)).toEqual(DEFAULTS);
    expect(resolveDeltaPolicy({}, DEFAULTS)).toEqual(DEFAULTS);
    expect(resolveDeltaPolicy({ fullEvery: 3 }, DEFAULTS)).toEqual({ fullEvery: 3, maxDeltaRatio: 0.5 });
    expect(resolveDeltaPolicy({ maxDeltaRatio: Infinity }, DEFAULTS)).toEqual({ fullEvery: 10, maxDeltaRatio: Infinity });
    // An explicit undefined means "the default", as an absent key does.
    expect(resolveDeltaPolicy({ fullEvery: undefined, maxDeltaRatio: 2 }, DEFAULTS)).toEqual({ fullEvery: 10, maxDeltaRatio: 2 });
    expect(Object.isFrozen(resolveDeltaPolicy({ fullEvery: 1 }, DEFAULTS))).toBe(true);
  });

  it('false turns deltas off', () => {
    expect(resolveDeltaPolicy(false, DEFAULTS)).toBeUndefined();
  });

  it('refuses bad values with InvalidInput naming the option and the value', () => {
    for (const fullEvery of [0, -1, 1.5, Number.NaN, Infinity, '4']) {
      const error = refusal({ fullEvery });
      expect(error.message).toMatch(/^incremental\.fullEvery must be an integer >= 1/);
      expect(error.details).toEqual({ option: 'incremental.fullEvery', value: fullEvery });
    }
    for (const maxDeltaRatio of [0, -0.5, Number.NaN, '1', -Infinity]) {
      const error = refusal({ maxDeltaRatio }, 'keyframes');
      expect(error.message).toMatch(/^keyframes\.maxDeltaRatio must be a number > 0/);
      expect(error.details.option).toBe('keyframes.maxDeltaRatio');
    }
  });

  it('refuses what is not a policy object, and unknown keys instead of ignoring them', () => {
    for (const policy of [null, 'often', 4, [], true]) expect(refusal(policy).message).toMatch(/^incremental must be an object \{ fullEvery, maxDeltaRatio \} or false/);
    const misspelt = refusal({ fullevery: 3 });
    expect(misspelt.message).toBe('incremental.fullevery is not a delta policy setting: use fullEvery and maxDeltaRatio');
    expect(misspelt.details).toEqual({ option: 'incremental.fullevery', value: 3 });
  });
});

describe('the run limits', () => {
  it('withinFullEvery: a run holds at most fullEvery - 1 deltas', () => {
    const policy = resolveDeltaPolicy({ fullEvery: 4 }, DEFAULTS)!;
    expect([1, 2, 3, 4].map((deltas) => withinFullEvery(policy, deltas))).toEqual([true, true, true, false]);
    expect(withinFullEvery(resolveDeltaPolicy({ fullEvery: 1 }, DEFAULTS)!, 1)).toBe(false);
  });

  it('withinDeltaRatio: the deltas of a run add up to at most maxDeltaRatio of its full snapshot', () => {
    const policy = resolveDeltaPolicy({ maxDeltaRatio: 0.5 }, DEFAULTS)!;
    expect(withinDeltaRatio(policy, 500, 1000)).toBe(true);
    expect(withinDeltaRatio(policy, 501, 1000)).toBe(false);
    const unlimited = resolveDeltaPolicy({ maxDeltaRatio: Infinity }, DEFAULTS)!;
    expect(withinDeltaRatio(unlimited, Number.MAX_SAFE_INTEGER, 0)).toBe(true);
  });
});
