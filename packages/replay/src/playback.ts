import { invalidInput, optionsOf } from './errors.js';
import type { ReplayDirection } from './frame.js';

/** Options of `ReplayEngine.play`. */
export interface PlayOptions {
  /** Playback rate multiplier (default 1): frames advance every `1000 / (fps * speed)` ms. */
  speed?: number;
  /** Checkpoints per second at speed 1 (default 30). */
  fps?: number;
  /** Direction of travel (default 'forward'). */
  direction?: ReplayDirection;
}

/** Why playback stopped: `pause()` (or a new `play`, or `clear`) or the end of the replay with loop off. */
export type PlayResult = 'paused' | 'ended';

/** The validated frame interval in milliseconds of `options`. */
export function frameInterval(options: PlayOptions | undefined): number {
  const given = optionsOf(options, 'play');
  const speed = given.speed ?? 1;
  const fps = given.fps ?? 30;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0)
    throw invalidInput(`play speed must be a finite number > 0, got ${String(speed)}; use direction: 'backward' to play in reverse`);
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps <= 0) throw invalidInput(`play fps must be a finite number > 0, got ${String(fps)}`);
  if (given.direction !== undefined && given.direction !== 'forward' && given.direction !== 'backward') {
    throw invalidInput(`play direction must be 'forward' or 'backward', got ${String(given.direction)}`);
  }
  return 1000 / (fps * speed);
}

/** Resolves after `ms` milliseconds, or at once when `cancelled` is called first. */
export function delay(ms: number): { done: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    cancel = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, cancel };
}
