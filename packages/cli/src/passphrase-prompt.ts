// Asks for a passphrase on the terminal without echoing it: node:readline writing through a
// stream that drops what readline echoes while the answer is typed.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError, ExitCode } from './errors.js';

/** Prompts on stderr and reads one line from the terminal without showing what is typed. */
export async function promptHidden(question: string): Promise<string> {
  let muted = false;
  const echo = new Writable({
    write(chunk: Buffer, encoding: BufferEncoding, done: () => void) {
      if (!muted) process.stderr.write(chunk, encoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output: echo, terminal: true });
  return new Promise<string>((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      reject(new CliError('cancelled at the passphrase prompt', ExitCode.Usage));
    });
    rl.question(question, (answer) => {
      muted = false;
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    // The question itself is shown; everything typed after it is not.
    muted = true;
  });
}
