/** An in-process FIFO mutex; `acquire` resolves with a release function. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Waits for the mutex; returns a function that releases it. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => next);
    return previous.then(() => release);
  }
}

/** Acquires `mutex` or rejects with `timeoutError()` after `ms`; a grant arriving late is released at once. */
export async function acquireWithin(mutex: Mutex, ms: number, timeoutError: () => Error): Promise<() => void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const acquired = mutex.acquire();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(timeoutError());
    }, ms);
  });
  void acquired.then((release) => {
    if (timedOut) release();
  });
  try {
    return await Promise.race([acquired, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
