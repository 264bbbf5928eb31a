import { Worker } from 'node:worker_threads';
import type { CommitBatch, CommitLog } from '../engine/commit-log.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './protocol.js';
import type { KvRow } from './schema.js';

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The main-thread side of the commit worker: turns batches into rows and waits for the worker's replies. */
export class WorkerCommitLog implements CommitLog {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: WorkerReply) => {
      if (msg.kind !== 'done') return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.error === undefined) p.resolve();
      else p.reject(new Error(msg.error));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`sqlite commit worker exited (code ${code})`)));
  }

  static start(setup: WorkerSetup): Promise<WorkerCommitLog> {
    const worker = new Worker(new URL('./commit-worker.js', import.meta.url), { workerData: setup });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      worker.once('error', onError);
      worker.once('message', (msg: WorkerReply) => {
        worker.off('error', onError);
        if (msg.kind !== 'ready') return reject(new Error('sqlite commit worker did not start'));
        const log = new WorkerCommitLog(worker);
        worker.unref();
        resolve(log);
      });
    });
  }

  append(batch: CommitBatch): Promise<void> {
    const rows: KvRow[] = [];
    for (const rec of batch.records) {
      for (let sub = 0; sub < rec.events.length; sub++) {
        const e = rec.events[sub]!;
        const kv = e.kv;
        rows.push([kv.key, rec.revision, sub, kv.createRevision, kv.version, e.type === 'delete' ? 1 : 0, kv.value]);
      }
    }
    const revision = batch.records[batch.records.length - 1]?.revision ?? 0;
    return this.request({ kind: 'append', rows, revision });
  }

  compact(revision: number): Promise<void> {
    return this.request({ kind: 'compact', revision });
  }

  async close(): Promise<void> {
    if (this.dead) return;
    await this.request({ kind: 'close' });
    this.dead = new Error('sqlite store is closed');
    await this.worker.terminate();
  }

  private request(req: Request): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    // Referenced while a request is outstanding, so an awaited write keeps the process alive.
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // The request is a literal made for this call: stamped, not spread into a new one with a key it lacks.
      const message = req as WorkerRequest;
      message.id = id;
      this.worker.postMessage(message);
    });
  }

  private fail(err: Error): void {
    if (!this.dead) this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
