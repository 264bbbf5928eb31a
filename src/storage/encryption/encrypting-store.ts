// A Store that encrypts the values of the configured resources on the way in and decrypts them on the way
// out (ranges, txn results, watch events), over any backend: the backend only ever holds ciphertext for
// them. The plan can be swapped at run time (a reloaded configuration); values written under an older plan
// stay readable as long as its keys are still listed.
import type {
  Compare,
  KeyValue,
  RangeOptions,
  RangeResult,
  Store,
  TxnOp,
  TxnResult,
  Watch,
  WatchEvent,
  WatchOptions,
} from '../store.js';
import { prefixEnd } from '../store.js';
import type { EncryptionPlan } from './transformer.js';

export interface ReencryptResult {
  /** Values that were rewritten with the writing provider. */
  rewritten: number;
  /** Values of the configured resources that were already current. */
  current: number;
  /** The revision after the last rewrite. */
  revision: number;
}

export class EncryptingStore implements Store {
  constructor(
    private readonly inner: Store,
    private plan: EncryptionPlan,
  ) {}

  /** The plan in force (its `hash` names the configuration). */
  currentPlan(): EncryptionPlan {
    return this.plan;
  }

  /** Swaps the configuration; writes from now on use its first provider. */
  setPlan(plan: EncryptionPlan): void {
    this.plan = plan;
  }

  currentRevision(): number {
    return this.inner.currentRevision();
  }

  compactedRevision(): number {
    return this.inner.compactedRevision();
  }

  private open(kv: KeyValue): KeyValue {
    const chain = this.plan.chainFor(kv.key);
    if (!chain || kv.value === '') return kv;
    return { ...kv, value: chain.fromStorage(kv.value, kv.key).value };
  }

  async range(opts: RangeOptions): Promise<RangeResult> {
    const r = await this.inner.range(opts);
    if (opts.countOnly || r.kvs.length === 0) return r;
    return { ...r, kvs: r.kvs.map((kv) => this.open(kv)) };
  }

  private seal(op: TxnOp): TxnOp {
    if (op.type !== 'put') return op;
    const chain = this.plan.chainFor(op.key);
    return chain ? { ...op, value: chain.toStorage(op.value, op.key) } : op;
  }

  async txn(compare: Compare[], success: TxnOp[], failure?: TxnOp[]): Promise<TxnResult> {
    for (const c of compare)
      if (c.target === 'value' && this.plan.chainFor(c.key))
        throw new Error(`a value comparison on the encrypted key ${c.key} is not possible`);
    const r = await this.inner.txn(
      compare,
      success.map((op) => this.seal(op)),
      failure?.map((op) => this.seal(op)),
    );
    return { ...r, results: r.results.map((kv) => (kv ? this.open(kv) : kv)) };
  }

  watch(opts: WatchOptions, onEvents: (events: WatchEvent[]) => void, onError: (err: Error) => void): Watch {
    return this.inner.watch(
      opts,
      (events) => {
        let out: WatchEvent[];
        try {
          out = events.map((e) => ({
            type: e.type,
            kv: this.open(e.kv),
            ...(e.prevKv ? { prevKv: this.open(e.prevKv) } : {}),
          }));
        } catch (err) {
          onError(err as Error);
          return;
        }
        onEvents(out);
      },
      onError,
    );
  }

  compact(revision: number): Promise<void> {
    return this.inner.compact(revision);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Rewrites every value of the configured resources that the writing provider did not write (values in
   * clear, or under an older key), each with a compare on its mod revision so a concurrent write wins.
   * The object is unchanged; its resourceVersion moves, as after upstream's `kubectl replace` re-encryption.
   */
  async reencrypt(): Promise<ReencryptResult> {
    const plan = this.plan;
    let rewritten = 0;
    let current = 0;
    for (const prefix of plan.explicitPrefixes()) {
      const end = prefixEnd(prefix);
      let from = prefix;
      for (;;) {
        const page = await this.inner.range({ key: from, end, limit: 500 });
        for (const kv of page.kvs) {
          const chain = plan.chainFor(kv.key)!;
          const { value, stale } = chain.fromStorage(kv.value, kv.key);
          if (!stale) {
            current++;
            continue;
          }
          const r = await this.inner.txn(
            [{ key: kv.key, target: 'mod', result: '=', value: kv.modRevision }],
            [{ type: 'put', key: kv.key, value: chain.toStorage(value, kv.key) }],
          );
          if (r.succeeded) rewritten++;
          else current++; // written meanwhile, by the current plan
        }
        if (!page.more || page.kvs.length === 0) break;
        from = `${page.kvs[page.kvs.length - 1]!.key}\x00`;
      }
    }
    return { rewritten, current, revision: this.inner.currentRevision() };
  }
}
