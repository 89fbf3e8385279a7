// Instructions per 10k zstd-3 write or read, for runs on a loaded machine where wall clock is
// noise: run under callgrind twice, with 0 and with N timed iterations after the same warm-up,
// and take (Ir(N) - Ir(0)) / N. `--no-liftoff` makes WebAssembly run as optimized code from
// the first call, so warm-up and measured calls execute the same code.
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.0  node --no-liftoff benchmarks/instructions.bench.mjs <root> 0  write
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.30 node --no-liftoff benchmarks/instructions.bench.mjs <root> 30 write
//
// <root> is a checkout whose packages/{format,codecs,cli}/dist are built (this one, or the previous commit's).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'), count = '0', mode = 'write', entities = '10000'] = process.argv.slice(2);
const load = (pkg, entry = 'index.js') => import(pathToFileURL(path.join(root, 'packages', pkg, 'dist', entry)).href);
const [format, codecs, world] = await Promise.all([load('format'), load('codecs'), load('cli', 'reference-world.js')]);
const packed = world.referenceColumns(Number(entities)).packed;
const options = await codecs.packOptions({ codec: 'zstd', level: 3, filter: 'auto' });
const read = { codecs: (await codecs.createCodecRegistry(['zstd'])).codecs, filters: codecs.filterById };
const bytes = format.encodeSnapshot(packed, options);
const op = mode === 'write' ? () => format.encodeSnapshot(packed, options) : () => format.decodeSnapshot(bytes, read);
for (let i = 0; i < 40; i++) op();
for (let i = 0; i < Number(count); i++) op();
