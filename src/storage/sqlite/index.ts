import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { CommitBatch, CommitLog } from '../engine/commit-log.js';
import { StoreEngine } from '../engine/engine.js';
import { SqliteHistory } from './history.js';
import { configureConnection, SCHEMA } from './schema.js';
import { WorkerCommitLog } from './worker-commit-log.js';

export interface SqliteStoreOptions {
  /** Database file; its folder is created if missing. */
  path: string;
  /** Most recent events kept in memory for watches and recent reads (default 10,000). */
  watchCacheEvents?: number;
  /** Tuning: how far back an old read undoes writes on the latest state instead of scanning history. */
  undoLimit?: number;
}

/** The SQLite-backed Store: latest state in memory, durable history in SQLite written by a worker thread. */
export class SqliteStore extends StoreEngine {
  private constructor(log: CommitLog, history: SqliteHistory, opts: SqliteStoreOptions) {
    super({
      log,
      history,
      initial: history.loadInitial(),
      ringCapacity: opts.watchCacheEvents ?? 10_000,
      undoLimit: opts.undoLimit,
    });
  }

  static async open(opts: SqliteStoreOptions): Promise<SqliteStore> {
    mkdirSync(dirname(opts.path), { recursive: true });
    // This connection creates the schema, rebuilds memory, then only reads (old revisions, watch replay).
    const readDb = new Database(opts.path);
    try {
      configureConnection(readDb);
      readDb.exec(SCHEMA);
      const history = new SqliteHistory(readDb);
      const worker = await WorkerCommitLog.start({ path: opts.path });
      const log: CommitLog = {
        append: (batch: CommitBatch) => worker.append(batch),
        compact: (revision: number) => worker.compact(revision),
        close: async () => {
          await worker.close();
          readDb.close();
        },
      };
      return new SqliteStore(log, history, opts);
    } catch (err) {
      readDb.close();
      throw err;
    }
  }
}

export function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  return SqliteStore.open(opts);
}
