import type Database from 'better-sqlite3';

/**
 * One row per key per write (etcd's MVCC history). A delete writes a tombstone row (deleted = 1). The latest
 * row of a key at revision R is its state at R. Compaction at C keeps every row >= C plus, per key, the
 * newest row below C unless that row is a tombstone.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key             TEXT    NOT NULL,
  mod_revision    INTEGER NOT NULL,
  sub             INTEGER NOT NULL,   -- position of the event within its transaction
  create_revision INTEGER NOT NULL,   -- 0 for a tombstone
  version         INTEGER NOT NULL,   -- 0 for a tombstone
  deleted         INTEGER NOT NULL,   -- 1: the key was deleted at mod_revision
  value           TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_by_key ON kv (key, mod_revision);
CREATE INDEX IF NOT EXISTS kv_by_revision ON kv (mod_revision);
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT PRIMARY KEY,           -- 'revision': last committed revision; 'compacted': compacted revision
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Settings every connection needs: WAL so the main thread reads while the worker writes. */
export function configureConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  // Deleted rows (compacted history) are overwritten, so a value that was replaced (a secret stored before
  // encryption was turned on, or under a rotated-out key) does not linger in free pages.
  db.pragma('secure_delete = ON');
}

/** One history row as sent to the commit worker: [key, mod, sub, create, version, deleted, value]. */
export type KvRow = [string, number, number, number, number, 0 | 1, string];
