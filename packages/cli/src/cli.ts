#!/usr/bin/env node
// The `tx2pack` executable: runs the program on the process arguments and exits with its code.
import { run } from './program.js';

// `tx2pack inspect big.tx2pack | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await run(process.argv.slice(2));
