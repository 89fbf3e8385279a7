// The script each Node.js worker thread of a CompressionPool runs (see compress-worker.ts).
import { parentPort } from 'node:worker_threads';
import { type CompressRequest, createCompressHandler, withoutDetails } from './compress-worker.js';

const port = parentPort;
const handle = createCompressHandler();

port?.on('message', async (request: CompressRequest) => {
  const message = await handle(request);
  try {
    port.postMessage(message.reply, message.transfer);
  } catch {
    port.postMessage(withoutDetails(message).reply);
  }
});
