// The behaviour every Store backend must show (etcd v3 semantics). Backends call runStoreContract from
// their own *.test.ts with a function that opens a fresh, empty store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompactedError, type KeyValue, prefixEnd, type Store, type WatchEvent } from './store.js';

const put = (key: string, value: string) => ({ type: 'put' as const, key, value });
const del = (key: string) => ({ type: 'delete' as const, key });
const get = (key: string) => ({ type: 'get' as const, key });

/** Collects watch events; `until` resolves once at least n events arrived. */
function collector() {
  const events: WatchEvent[] = [];
  const calls: WatchEvent[][] = [];
  const errors: Error[] = [];
  let wake: () => void = () => {};
  return {
    events,
    calls,
    errors,
    onEvents: (batch: WatchEvent[]) => {
      calls.push(batch);
      events.push(...batch);
      wake();
    },
    onError: (err: Error) => {
      errors.push(err);
      wake();
    },
    async until(pred: () => boolean, what: string): Promise<void> {
      const deadline = Date.now() + 5000;
      while (!pred()) {
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  }

  describe(`Store contract: ${name}`, () => {
    it('assigns one revision per write txn, with create/mod revisions and versions', () =>
      withStore(async (s) => {
        const r0 = s.currentRevision();
        const a = await s.txn([], [put('/a', '1')]);
        assert.equal(a.revision, r0 + 1);
        assert.deepEqual(a.results[0], {
          key: '/a',
          value: '1',
          createRevision: r0 + 1,
          modRevision: r0 + 1,
          version: 1,
        });
        const b = await s.txn([], [put('/a', '2'), put('/b', 'x')]);
        assert.equal(b.revision, r0 + 2, 'a txn writing two keys takes one revision');
        assert.deepEqual(b.results[0], {
          key: '/a',
          value: '2',
          createRevision: r0 + 1,
          modRevision: r0 + 2,
          version: 2,
        });
        const d = await s.txn([], [del('/a')]);
        assert.equal(d.revision, r0 + 3);
        assert.equal(d.results[0]?.value, '2', 'delete returns the kv as it was');
        const noop = await s.txn([], [del('/missing')]);
        assert.equal(noop.revision, r0 + 3, 'deleting a missing key writes nothing');
        assert.equal(noop.results[0], undefined);
        const again = await s.txn([], [put('/a', '3')]);
        assert.deepEqual(again.results[0], {
          key: '/a',
          value: '3',
          createRevision: r0 + 4,
          modRevision: r0 + 4,
          version: 1,
        });
        assert.equal(s.currentRevision(), r0 + 4);
        const read = await s.range({ key: '/a' });
        assert.equal(read.revision, r0 + 4);
        assert.deepEqual(read.kvs, [again.results[0]]);
      }));

    it('runs the success branch only when every compare holds', () =>
      withStore(async (s) => {
        const created = await s.txn(
          [{ key: '/k', target: 'mod', result: '=', value: 0 }],
          [put('/k', 'v1')],
          [get('/k')],
        );
        assert.equal(created.succeeded, true, 'missing key has mod revision 0');
        const mod = created.results[0]!.modRevision;
        const lost = await s.txn(
          [{ key: '/k', target: 'create', result: '=', value: 0 }],
          [put('/k', 'x')],
          [get('/k')],
        );
        assert.equal(lost.succeeded, false);
        assert.equal(lost.results[0]?.value, 'v1', 'failure branch ran');
        assert.equal(lost.revision, mod, 'a failed CAS writes nothing');
        const updated = await s.txn([{ key: '/k', target: 'mod', result: '=', value: mod }], [put('/k', 'v2')]);
        assert.equal(updated.succeeded, true);
        const stale = await s.txn([{ key: '/k', target: 'mod', result: '=', value: mod }], [put('/k', 'v3')]);
        assert.equal(stale.succeeded, false);
        assert.deepEqual(stale.results, []);
        const checks: [Parameters<Store['txn']>[0][number], boolean][] = [
          [{ key: '/k', target: 'version', result: '=', value: 2 }, true],
          [{ key: '/k', target: 'version', result: '>', value: 1 }, true],
          [{ key: '/k', target: 'version', result: '<', value: 2 }, false],
          [{ key: '/k', target: 'mod', result: '!=', value: mod }, true],
          [{ key: '/k', target: 'create', result: '=', value: mod }, true],
          [{ key: '/k', target: 'value', result: '=', value: 'v2' }, true],
          [{ key: '/k', target: 'value', result: '<', value: 'v3' }, true],
          [{ key: '/k', target: 'value', result: '!=', value: 'v2' }, false],
          [{ key: '/nope', target: 'version', result: '=', value: 0 }, true],
          [{ key: '/nope', target: 'value', result: '!=', value: 'anything' }, false],
        ];
        for (const [c, want] of checks) {
          const r = await s.txn([c], []);
          assert.equal(r.succeeded, want, `${c.key} ${c.target} ${c.result} ${c.value}`);
        }
        const both = await s.txn(
          [
            { key: '/k', target: 'value', result: '=', value: 'v2' },
            { key: '/nope', target: 'mod', result: '>', value: 0 },
          ],
          [put('/k', 'no')],
        );
        assert.equal(both.succeeded, false, 'all compares must hold');
        await assert.rejects(s.txn([], [put('/d', '1'), del('/d')]), /duplicate key/);
        const readAfterWrite = await s.txn([], [put('/g', 'new'), get('/g')]);
        assert.equal(readAfterWrite.results[1]?.value, 'new', 'a get sees an earlier put of the same txn');
      }));

    it('reads ranges with limit, more and countOnly', () =>
      withStore(async (s) => {
        for (let i = 0; i < 10; i++) await s.txn([], [put(`/p/${i}`, `v${i}`)]);
        await s.txn([], [put('/o', 'before'), put('/q', 'after'), put('/p', 'exact')]);
        const all = await s.range({ key: '/p/', end: prefixEnd('/p/') });
        assert.deepEqual(
          all.kvs.map((kv) => kv.key),
          Array.from({ length: 10 }, (_, i) => `/p/${i}`),
        );
        assert.equal(all.count, 10);
        assert.equal(all.more, false);
        const page = await s.range({ key: '/p/', end: prefixEnd('/p/'), limit: 3 });
        assert.deepEqual(
          page.kvs.map((kv) => kv.key),
          ['/p/0', '/p/1', '/p/2'],
        );
        assert.equal(page.count, 10);
        assert.equal(page.more, true);
        const next = await s.range({ key: '/p/3', end: prefixEnd('/p/'), limit: 7 });
        assert.equal(next.kvs.length, 7);
        assert.equal(next.more, false);
        const counted = await s.range({ key: '/p/', end: prefixEnd('/p/'), countOnly: true });
        assert.deepEqual([counted.kvs, counted.count], [[], 10]);
        const exact = await s.range({ key: '/p' });
        assert.deepEqual(
          exact.kvs.map((kv) => kv.value),
          ['exact'],
        );
        assert.equal((await s.range({ key: '/p/x' })).count, 0);
        assert.equal((await s.range({ key: '/z', end: '/a' })).count, 0, 'end before key is empty');
        const everything = await s.range({ key: '', end: prefixEnd('') });
        assert.equal(everything.count, 13);
      }));

    it('reads the state as of a past revision', () =>
      withStore(async (s) => {
        const r1 = (await s.txn([], [put('/h/a', 'a1')])).revision;
        const r2 = (await s.txn([], [put('/h/a', 'a2'), put('/h/b', 'b1')])).revision;
        const r3 = (await s.txn([], [del('/h/a')])).revision;
        const r4 = (await s.txn([], [put('/h/c', 'c1'), put('/h/b', 'b2')])).revision;
        for (let i = 0; i < 5; i++) await s.txn([], [put('/other', String(i))]);
        const at = async (revision: number, limit?: number) => {
          const r = await s.range({ key: '/h/', end: prefixEnd('/h/'), revision, limit });
          assert.equal(r.revision, revision);
          return { view: r.kvs.map((kv) => `${kv.key}=${kv.value}@${kv.modRevision}v${kv.version}`), r };
        };
        assert.deepEqual((await at(r1)).view, [`/h/a=a1@${r1}v1`]);
        assert.deepEqual((await at(r2)).view, [`/h/a=a2@${r2}v2`, `/h/b=b1@${r2}v1`]);
        assert.deepEqual((await at(r3)).view, [`/h/b=b1@${r2}v1`]);
        assert.deepEqual((await at(r4)).view, [`/h/b=b2@${r4}v2`, `/h/c=c1@${r4}v1`]);
        const limited = await at(r2, 1);
        assert.deepEqual([limited.view, limited.r.count, limited.r.more], [[`/h/a=a2@${r2}v2`], 2, true]);
        const one = await s.range({ key: '/h/a', revision: r2 });
        assert.equal(one.kvs[0]?.value, 'a2');
        const counted = await s.range({ key: '/h/', end: prefixEnd('/h/'), revision: r3, countOnly: true });
        assert.equal(counted.count, 1);
        await assert.rejects(s.range({ key: '/h/a', revision: s.currentRevision() + 1 }), /future revision/);
      }));

    it('never lets a read see a write before it is durable', () =>
      withStore(async (s) => {
        const before = s.currentRevision();
        const pending = s.txn([], [put('/pending', 'v')]);
        const read = await s.range({ key: '/pending' });
        assert.equal(read.kvs.length, 0);
        assert.equal(read.revision, before);
        // A compare, though, sees it: the second CAS on "missing" must fail.
        const second = await s.txn(
          [{ key: '/pending', target: 'version', result: '=', value: 0 }],
          [put('/pending', 'w')],
        );
        assert.equal(second.succeeded, false);
        await pending;
        assert.equal((await s.range({ key: '/pending' })).kvs[0]?.value, 'v');
      }));

    it('watches from a past revision: every event once, in order, then live events', () =>
      withStore(async (s) => {
        const first = (await s.txn([], [put('/w/a', '1')])).revision;
        await s.txn([], [put('/w/b', '1'), put('/w/a', '2'), put('/x', 'outside')]);
        await s.txn([], [del('/w/b')]);
        const c = collector();
        const w = s.watch({ key: '/w/', end: prefixEnd('/w/'), startRevision: first }, c.onEvents, c.onError);
        await c.until(() => c.events.length >= 4, 'history');
        await s.txn([], [put('/w/c', '1'), put('/w/a', '3')]);
        await c.until(() => c.events.length >= 6, 'live events');
        await settle();
        assert.deepEqual(c.errors, []);
        assert.deepEqual(
          c.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`),
          [
            `put /w/a@${first}`,
            `put /w/b@${first + 1}`,
            `put /w/a@${first + 1}`,
            `delete /w/b@${first + 2}`,
            `put /w/c@${first + 3}`,
            `put /w/a@${first + 3}`,
          ],
        );
        for (const call of c.calls) {
          const revs = new Set(call.map((e) => e.kv.modRevision));
          for (const rev of revs) {
            const inCall = call.filter((e) => e.kv.modRevision === rev).length;
            const total = c.events.filter((e) => e.kv.modRevision === rev).length;
            assert.equal(inCall, total, `events of revision ${rev} arrive in one call`);
          }
        }
        assert.equal(c.events[2]?.prevKv?.value, '1', 'put of an existing key carries prevKv');
        assert.equal(c.events[0]?.prevKv, undefined, 'put of a new key has no prevKv');
        w.cancel();
      }));

    it('watches only new events without a start revision, and stops on cancel', () =>
      withStore(async (s) => {
        await s.txn([], [put('/n/old', '1')]);
        const c = collector();
        const exact = collector();
        const w = s.watch({ key: '/n/', end: prefixEnd('/n/') }, c.onEvents, c.onError);
        s.watch({ key: '/n/b' }, exact.onEvents, exact.onError);
        await s.txn([], [put('/n/a', '1')]);
        await s.txn([], [put('/n/b', '1')]);
        await c.until(() => c.events.length >= 2, 'new events');
        assert.deepEqual(
          c.events.map((e) => e.kv.key),
          ['/n/a', '/n/b'],
        );
        w.cancel();
        await s.txn([], [put('/n/c', '1')]);
        await settle();
        assert.equal(c.events.length, 2, 'no events after cancel');
        assert.deepEqual(
          exact.events.map((e) => e.kv.key),
          ['/n/b'],
        );
      }));

    it('sends delete events with the deleted kv as prevKv', () =>
      withStore(async (s) => {
        const created = await s.txn([], [put('/d/a', 'gone soon')]);
        const c = collector();
        s.watch({ key: '/d/a' }, c.onEvents, c.onError);
        const deleted = await s.txn([], [del('/d/a')]);
        await c.until(() => c.events.length >= 1, 'delete event');
        const e = c.events[0]!;
        assert.equal(e.type, 'delete');
        assert.equal(e.kv.key, '/d/a');
        assert.equal(e.kv.modRevision, deleted.revision);
        assert.equal(e.kv.value, '');
        assert.deepEqual(e.prevKv, created.results[0]);
        // The same event replayed from history looks the same.
        const replay = collector();
        s.watch({ key: '/d/a', startRevision: deleted.revision }, replay.onEvents, replay.onError);
        await replay.until(() => replay.events.length >= 1, 'replayed delete');
        assert.deepEqual(replay.events[0], e);
      }));

    it('compacts history: old reads and watches get CompactedError, newer ones still work', () =>
      withStore(async (s) => {
        const r1 = (await s.txn([], [put('/c/keep', 'k1'), put('/c/gone', 'g1')])).revision;
        const r2 = (await s.txn([], [put('/c/a', 'a1')])).revision;
        const r3 = (await s.txn([], [put('/c/a', 'a2'), del('/c/gone')])).revision;
        const r4 = (await s.txn([], [put('/c/a', 'a3')])).revision;
        await s.compact(r3);
        assert.equal(s.compactedRevision(), r3);
        await assert.rejects(s.range({ key: '/c/a', revision: r2 }), (err: unknown) => {
          assert.ok(err instanceof CompactedError);
          assert.equal(err.requested, r2);
          assert.equal(err.compacted, r3);
          return true;
        });
        const atR3 = await s.range({ key: '/c/', end: prefixEnd('/c/'), revision: r3 });
        assert.deepEqual(
          atR3.kvs.map((kv) => `${kv.key}=${kv.value}`),
          ['/c/a=a2', '/c/keep=k1'],
        );
        const now = await s.range({ key: '/c/', end: prefixEnd('/c/') });
        assert.deepEqual(
          now.kvs.map((kv) => `${kv.key}=${kv.value}@${kv.createRevision}`),
          [`/c/a=a3@${r2}`, `/c/keep=k1@${r1}`],
        );
        const old = collector();
        s.watch({ key: '/c/', end: prefixEnd('/c/'), startRevision: r1 }, old.onEvents, old.onError);
        await old.until(() => old.errors.length > 0, 'compacted error');
        assert.ok(old.errors[0] instanceof CompactedError);
        assert.equal(old.events.length, 0);
        const fromCompacted = collector();
        s.watch(
          { key: '/c/', end: prefixEnd('/c/'), startRevision: r3 },
          fromCompacted.onEvents,
          fromCompacted.onError,
        );
        await fromCompacted.until(() => fromCompacted.events.length >= 3, 'events since compaction');
        assert.deepEqual(
          fromCompacted.events.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision} prev=${e.prevKv?.value}`),
          [`put /c/a@${r3} prev=a1`, `delete /c/gone@${r3} prev=g1`, `put /c/a@${r4} prev=a2`],
        );
        await s.compact(r2);
        assert.equal(s.compactedRevision(), r3, 'compacting to an older revision is a no-op');
        await assert.rejects(s.compact(s.currentRevision() + 5), /future revision/);
        await s.compact(s.currentRevision());
        assert.equal((await s.range({ key: '/c/', end: prefixEnd('/c/') })).count, 2, 'live keys survive');
      }));

    it('lets exactly one of 500 concurrent conflicting CAS txns win per version (group commit)', () =>
      withStore(async (s) => {
        const base = await s.txn([], [put('/cas', '0')]);
        const v = base.results[0]!.modRevision;
        const racers = await Promise.all(
          Array.from({ length: 500 }, (_, i) =>
            s.txn([{ key: '/cas', target: 'mod', result: '=', value: v }], [put('/cas', `w${i}`)], [get('/cas')]),
          ),
        );
        const winners = racers.filter((r) => r.succeeded);
        assert.equal(winners.length, 1);
        for (const r of racers.filter((x) => !x.succeeded))
          assert.equal(r.results[0]?.value, winners[0]!.results[0]!.value);
        // 50 clients each add 10 to a counter with read-CAS-retry: no lost update, one winner per version.
        const winningVersions: number[] = [];
        const client = async () => {
          for (let n = 0; n < 10; n++) {
            let cur: KeyValue | undefined = (await s.range({ key: '/counter' })).kvs[0];
            for (;;) {
              const next = String(Number(cur?.value ?? '0') + 1);
              const r = await s.txn(
                [{ key: '/counter', target: 'mod', result: '=', value: cur?.modRevision ?? 0 }],
                [put('/counter', next)],
                [get('/counter')],
              );
              if (r.succeeded) {
                winningVersions.push(r.results[0]!.version);
                break;
              }
              cur = r.results[0];
            }
          }
        };
        await Promise.all(Array.from({ length: 50 }, client));
        const final = (await s.range({ key: '/counter' })).kvs[0]!;
        assert.equal(final.value, '500');
        assert.equal(final.version, 500);
        assert.deepEqual(
          winningVersions.sort((a, b) => a - b),
          Array.from({ length: 500 }, (_, i) => i + 1),
        );
      }));

    it('a throwing watcher loses its watch without hurting others', () =>
      withStore(async (s) => {
        const good = collector();
        const errors: Error[] = [];
        s.watch(
          { key: '/t/', end: prefixEnd('/t/') },
          () => {
            throw new Error('consumer bug');
          },
          (err) => errors.push(err),
        );
        s.watch({ key: '/t/', end: prefixEnd('/t/') }, good.onEvents, good.onError);
        await s.txn([], [put('/t/1', 'x')]);
        await s.txn([], [put('/t/2', 'x')]);
        await good.until(() => good.events.length >= 2, 'events');
        assert.equal(errors.length, 1);
        assert.match(errors[0]!.message, /consumer bug/);
      }));

    it('rejects work after close', async () => {
      const s = await open();
      const write = s.txn([], [put('/late', '1')]);
      await s.close();
      assert.equal((await write).succeeded, true, 'close waits for writes already accepted');
      await assert.rejects(s.txn([], [put('/later', '1')]), /closed/);
    });
  });
}
