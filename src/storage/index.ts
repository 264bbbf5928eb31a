// The storage component's public surface: the Store contract, its backends, and helpers around them.
export { type AutoCompactionOptions, startAutoCompaction } from './auto-compaction.js';
export type { EngineStats } from './engine/engine.js';
export { FutureRevisionError, StoreClosedError } from './engine/errors.js';
export { MemoryStore, openMemoryStore } from './memory/index.js';
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from './sqlite/index.js';
export * from './store.js';
