// Assertions shared by every package's tests that only PackError escapes a public API. The
// error is recognised by its shape (name, code, details), not by `instanceof`: a package's tests
// run against its source while the packages below it are loaded from their builds.
import { expect } from 'vitest';

/** What the tests read of a PackError. */
export interface PackErrorLike extends Error {
  readonly name: 'PackError';
  readonly code: string;
  readonly details: Record<string, unknown>;
}

/** True when `value` has the shape of a PackError. */
export function isPackErrorLike(value: unknown): value is PackErrorLike {
  return value instanceof Error && value.name === 'PackError' && typeof (value as { code?: unknown }).code === 'string';
}

/** The PackError `fn` throws or rejects with; fails the test when it returns or throws anything else. */
export async function packErrorOf(fn: () => unknown): Promise<PackErrorLike> {
  const failure = await Promise.resolve()
    .then(fn)
    .then(
      () => 'nothing was thrown',
      (error: unknown) => error,
    );
  expect(isPackErrorLike(failure), String(failure)).toBe(true);
  return failure as PackErrorLike;
}

/** The PackError `fn` throws synchronously; fails the test otherwise. */
export function packErrorOfSync(fn: () => unknown): PackErrorLike {
  let failure: unknown = 'nothing was thrown';
  try {
    fn();
  } catch (error) {
    failure = error;
  }
  expect(isPackErrorLike(failure), String(failure)).toBe(true);
  return failure as PackErrorLike;
}

/** Asserts that `fn` throws a PackError with `code` (and a message matching `message`); returns its details. */
export function expectPackError(fn: () => unknown, code: string, message?: RegExp): Record<string, unknown> {
  const error = packErrorOfSync(fn);
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  return error.details;
}

/**
 * Runs `run` (a fuzz case); anything it throws or rejects with must be a PackError whose code is
 * in `codes`, with a message. Answers whether it threw. `label` names the case in a failure.
 */
export async function throwsOnlyPackErrors(label: string, run: () => unknown, codes: ReadonlySet<string>): Promise<boolean> {
  try {
    await run();
    return false;
  } catch (error) {
    if (!isPackErrorLike(error)) expect.fail(`${label}: raw ${String((error as Error)?.stack ?? error)}`);
    expect(codes.has(error.code), `${label}: unknown code ${error.code}`).toBe(true);
    expect(error.message.length, label).toBeGreaterThan(0);
    return true;
  }
}
