// The only writer of the database, on its own thread so an fsync never blocks the event loop.
// Each append is one SQLite transaction: with WAL and synchronous = FULL its COMMIT fsyncs the WAL,
// so the reply means "durable".
import { setImmediate as yieldToMessages } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './protocol.js';
import { configureConnection, type KvRow } from './schema.js';

/** Compaction deletes this many revisions per SQLite transaction, letting appends run in between. */
const COMPACT_STEP = 2000;

const port = parentPort!;
const setup = workerData as WorkerSetup;
const db = new Database(setup.path);
configureConnection(db);
db.pragma('synchronous = FULL');

const insertRow = db.prepare(
  'INSERT INTO kv (key, mod_revision, sub, create_revision, version, deleted, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const setMeta = db.prepare(
  'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
);
const appendBatch = db.transaction((rows: KvRow[], revision: number) => {
  for (const r of rows) insertRow.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
  setMeta.run('revision', revision);
});
const oldestRevision = db.prepare('SELECT MIN(mod_revision) AS m FROM kv').pluck();
// Below C, a row is history once a newer row of its key exists below C; a tombstone below C is history too.
const deleteCompacted = db.prepare(`
  DELETE FROM kv WHERE mod_revision >= @lo AND mod_revision < @hi AND (deleted = 1 OR EXISTS (
    SELECT 1 FROM kv AS newer WHERE newer.key = kv.key AND newer.mod_revision > kv.mod_revision AND newer.mod_revision < @rev))`);

let compacting: Promise<void> | undefined;
let closing = false;

async function compact(revision: number): Promise<void> {
  // Record the compaction first: a crash midway leaves extra history, never a gap in what we claim to keep.
  setMeta.run('compacted', revision);
  const oldest = oldestRevision.get() as number | null;
  if (oldest === null) return;
  for (let lo = oldest; lo < revision; lo += COMPACT_STEP) {
    deleteCompacted.run({ lo, hi: Math.min(lo + COMPACT_STEP, revision), rev: revision });
    await yieldToMessages();
    if (closing) return;
  }
  // Move the WAL into the database and empty it: the deleted rows' old frames leave the WAL file too.
  db.pragma('wal_checkpoint(TRUNCATE)');
}

function reply(msg: WorkerReply): void {
  port.postMessage(msg);
}

port.on('message', (req: WorkerRequest) => {
  try {
    if (req.kind === 'append') {
      appendBatch(req.rows, req.revision);
      reply({ kind: 'done', id: req.id });
    } else if (req.kind === 'compact') {
      compacting = compact(req.revision);
      compacting.then(
        () => reply({ kind: 'done', id: req.id }),
        (err: unknown) => reply({ kind: 'done', id: req.id, error: String(err) }),
      );
    } else {
      closing = true;
      // Let a running compaction finish its current step before the connection goes away.
      const running = compacting ?? Promise.resolve();
      running
        .catch(() => {})
        .then(() => {
          db.close();
          reply({ kind: 'done', id: req.id });
          port.close();
        });
    }
  } catch (err) {
    reply({ kind: 'done', id: req.id, error: err instanceof Error ? err.message : String(err) });
  }
});

reply({ kind: 'ready' });
