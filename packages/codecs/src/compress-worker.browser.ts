// The script each Web Worker of a CompressionPool runs (see compress-worker.ts). Bundlers find it
// through `new Worker(new URL('./compress-worker.browser.js', import.meta.url))` in workers.browser.ts.
import { type CompressRequest, createCompressHandler, withoutDetails } from './compress-worker.js';

/** The parts of a dedicated worker's global scope used here (the DOM typings describe a window). */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent<CompressRequest>) => void): void;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
const handle = createCompressHandler();

scope.addEventListener('message', async (event) => {
  const message = await handle(event.data);
  try {
    scope.postMessage(message.reply, message.transfer);
  } catch {
    scope.postMessage(withoutDetails(message).reply, []);
  }
});
