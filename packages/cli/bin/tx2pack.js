#!/usr/bin/env node
// The `tx2pack` executable. It exists before the first build, so installing the workspace
// links it without "Failed to create bin"; the program itself is the built dist/cli.js.
import '../dist/cli.js';
