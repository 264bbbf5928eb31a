import type { KvRow } from './schema.js';

/** Messages from the store (main thread) to the commit worker. */
export type WorkerRequest =
  | { kind: 'append'; id: number; rows: KvRow[]; revision: number }
  | { kind: 'compact'; id: number; revision: number }
  | { kind: 'close'; id: number };

/** Replies from the commit worker; `ready` comes once, after the database is open. */
export type WorkerReply = { kind: 'ready' } | { kind: 'done'; id: number; error?: string };

export interface WorkerSetup {
  path: string;
}
