import type { CommitLog } from '../engine/commit-log.js';
import { StoreEngine } from '../engine/engine.js';

/** Nothing to persist: a batch is "durable" as soon as it is handed over. */
const volatileLog: CommitLog = {
  append: () => Promise.resolve(),
  compact: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

/**
 * The Store with etcd semantics and no durability, for fast tests of other components. History lives in
 * the engine's event ring, which only compaction trims.
 */
export class MemoryStore extends StoreEngine {
  constructor() {
    super({
      log: volatileLog,
      initial: { latest: [], revision: 0, compacted: 0 },
      ringCapacity: Number.POSITIVE_INFINITY,
    });
  }
}

export function openMemoryStore(): Promise<MemoryStore> {
  return Promise.resolve(new MemoryStore());
}
