// @tx2/pack-store/node: the Node.js-only parts of the store (filesystem backend, snapshot
// files, spooled streams). The main entry `@tx2/pack-store` runs everywhere and imports no
// Node built-in; import this entry beside it in Node programs.
export { NodeFsBackend, LOCK_FILE, type NodeFsBackendOptions } from './backends/node-fs.js';
export { fileSource } from './file-source.js';
export { writeSnapshotFile, readSnapshotFile, readSnapshotStream } from './node-files.js';
