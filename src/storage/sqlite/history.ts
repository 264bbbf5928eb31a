import type Database from 'better-sqlite3';
import type { HistoryReader, InitialState } from '../engine/commit-log.js';
import type { KeyspaceRange } from '../engine/keyspace.js';
import type { TxnRecord } from '../engine/txn-plan.js';
import type { KeyValue, RangeOptions, WatchEvent } from '../store.js';

interface Row {
  key: string;
  mod_revision: number;
  sub: number;
  create_revision: number;
  version: number;
  deleted: 0 | 1;
  value: string;
}

// The newest row of each key at or below a revision. SQLite takes bare columns from the MAX() row.
const LATEST_AT = `
  SELECT key, value, create_revision, version, deleted, MAX(mod_revision) AS mod_revision
  FROM kv WHERE key >= @start AND key < @end AND mod_revision <= @rev GROUP BY key`;

/**
 * Reads history from SQLite on the main thread. WAL gives this connection a snapshot of committed (hence
 * durable) data only; callers ask only for revisions the engine already knows are committed.
 */
export class SqliteHistory implements HistoryReader {
  private readonly rangeStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly eventsStmt: Database.Statement;
  private readonly prevStmt: Database.Statement;
  private readonly changedStmt: Database.Statement;
  private readonly atStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.rangeStmt = db.prepare(`SELECT * FROM (${LATEST_AT}) WHERE deleted = 0 ORDER BY key LIMIT @limit`);
    this.countStmt = db.prepare(`SELECT COUNT(*) FROM (${LATEST_AT}) WHERE deleted = 0`).pluck();
    this.eventsStmt = db.prepare(
      `SELECT * FROM kv WHERE mod_revision >= @from AND mod_revision <= @to AND key >= @start AND key < @end
       ORDER BY mod_revision, sub`,
    );
    this.changedStmt = db
      .prepare(
        'SELECT DISTINCT key FROM kv WHERE mod_revision > @rev AND mod_revision <= @upTo AND key >= @start AND key < @end',
      )
      .pluck();
    this.atStmt = db.prepare('SELECT * FROM kv WHERE key = ? AND mod_revision <= ? ORDER BY mod_revision DESC LIMIT 1');
    this.prevStmt = db.prepare(
      'SELECT * FROM kv WHERE key = ? AND mod_revision < ? ORDER BY mod_revision DESC LIMIT 1',
    );
  }

  /** State to rebuild the engine from at open. */
  loadInitial(): InitialState {
    const meta = new Map(
      (this.db.prepare('SELECT name, value FROM meta').all() as { name: string; value: number }[]).map((m) => [
        m.name,
        m.value,
      ]),
    );
    const maxRow = (this.db.prepare('SELECT MAX(mod_revision) FROM kv').pluck().get() as number | null) ?? 0;
    // The revision never goes backwards: a compaction may have removed the newest rows (tombstones).
    const revision = Math.max(meta.get('revision') ?? 0, maxRow);
    const rows = this.db
      .prepare(
        'SELECT * FROM (SELECT key, value, create_revision, version, deleted, MAX(mod_revision) AS mod_revision FROM kv GROUP BY key) WHERE deleted = 0',
      )
      .all() as Row[];
    const latest = rows.map(toKeyValue);
    // SQLite orders by UTF-8 bytes, the engine by UTF-16 units; they agree on ASCII, so this rarely sorts.
    if (!isSorted(latest)) latest.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { latest, revision, compacted: meta.get('compacted') ?? 0 };
  }

  rangeAt(opts: RangeOptions, revision: number): KeyspaceRange {
    const params = { start: opts.key, end: opts.end ?? opts.key + '\u0000', rev: revision };
    if (params.end <= params.start) return { kvs: [], count: 0, more: false };
    const count = this.countStmt.get(params) as number;
    if (opts.countOnly) return { kvs: [], count, more: false };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const kvs = (this.rangeStmt.all({ ...params, limit }) as Row[]).map(toKeyValue);
    return { kvs, count, more: kvs.length < count };
  }

  valuesBefore(
    revision: number,
    upTo: number,
    key: string,
    end: string | undefined,
  ): Map<string, KeyValue | undefined> {
    const keys = this.changedStmt.all({ rev: revision, upTo, start: key, end: end ?? key + '\u0000' }) as string[];
    const before = new Map<string, KeyValue | undefined>();
    for (const k of keys) {
      const row = this.atStmt.get(k, revision) as Row | undefined;
      before.set(k, row && row.deleted === 0 ? toKeyValue(row) : undefined);
    }
    return before;
  }

  transactions(from: number, to: number, key: string, end: string | undefined): TxnRecord[] {
    const rows = this.eventsStmt.all({ from, to, start: key, end: end ?? key + '\u0000' }) as Row[];
    const records: TxnRecord[] = [];
    for (const row of rows) {
      let rec = records[records.length - 1];
      if (!rec || rec.revision !== row.mod_revision) {
        rec = { revision: row.mod_revision, events: [] };
        records.push(rec);
      }
      rec.events.push(this.toEvent(row));
    }
    return records;
  }

  private toEvent(row: Row): WatchEvent {
    const prevRow = this.prevStmt.get(row.key, row.mod_revision) as Row | undefined;
    const prevKv = prevRow && prevRow.deleted === 0 ? toKeyValue(prevRow) : undefined;
    if (row.deleted === 1) {
      const kv = { key: row.key, value: '', createRevision: 0, modRevision: row.mod_revision, version: 0 };
      return prevKv ? { type: 'delete', kv, prevKv } : { type: 'delete', kv };
    }
    return prevKv ? { type: 'put', kv: toKeyValue(row), prevKv } : { type: 'put', kv: toKeyValue(row) };
  }
}

function toKeyValue(row: Row): KeyValue {
  return {
    key: row.key,
    value: row.value,
    createRevision: row.create_revision,
    modRevision: row.mod_revision,
    version: row.version,
  };
}

function isSorted(kvs: readonly KeyValue[]): boolean {
  for (let i = 1; i < kvs.length; i++) if (kvs[i - 1]!.key >= kvs[i]!.key) return false;
  return true;
}
