import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceSnapshot } from './resource-metrics.js';
import { MetricsStore } from './store.js';

const T0 = 1_700_000_000_000;

/** One node's scrape: every container of `pods` with cumulative CPU seconds and memory, at time t. */
function scrape(
  t: number,
  pods: Record<string, Record<string, [cpuSeconds: number, memory: number, start?: number]>>,
  node?: [number, number],
): ResourceSnapshot {
  return {
    ...(node ? { node: { cpuSeconds: node[0], memoryBytes: node[1], timestampMs: t } } : {}),
    pods: Object.entries(pods).map(([key, containers]) => {
      const [namespace, name] = key.split('/') as [string, string];
      return {
        namespace,
        name,
        containers: Object.entries(containers).map(([cname, [cpuSeconds, memoryBytes, start]]) => ({
          name: cname,
          usage: { cpuSeconds, memoryBytes, timestampMs: t, ...(start !== undefined ? { startTimeMs: start } : {}) },
        })),
      };
    }),
  };
}

describe('MetricsStore (metrics-server storage semantics)', () => {
  it('has no metrics after one point, then the rate between the last two', () => {
    const s = new MetricsStore();
    s.storeNode('n1', scrape(T0, { 'default/web': { app: [1, 1000] } }, [100, 5000]));
    assert.equal(s.podUsage('default', 'web'), undefined);
    assert.equal(s.nodeUsage('n1'), undefined);
    s.storeNode('n1', scrape(T0 + 15_000, { 'default/web': { app: [2.5, 2048] } }, [130, 6000]));
    assert.deepEqual(s.podUsage('default', 'web'), {
      namespace: 'default',
      name: 'web',
      timestampMs: T0 + 15_000,
      windowMs: 15_000,
      containers: [
        {
          name: 'app',
          usage: { cpuNanocores: 100_000_000, memoryBytes: 2048, timestampMs: T0 + 15_000, windowMs: 15_000 },
        },
      ],
    });
    assert.deepEqual(s.nodeUsage('n1'), {
      cpuNanocores: 2_000_000_000,
      memoryBytes: 6000,
      timestampMs: T0 + 15_000,
      windowMs: 15_000,
    });
  });

  it('floors the rate to whole nanocores', () => {
    const s = new MetricsStore();
    s.storeNode('n', scrape(T0, { 'a/p': { c: [0, 1] } }));
    s.storeNode('n', scrape(T0 + 3000, { 'a/p': { c: [0.000000001, 1] } }));
    assert.equal(s.podUsage('a', 'p')?.containers[0]!.usage.cpuNanocores, 0);
    s.storeNode('n', scrape(T0 + 6000, { 'a/p': { c: [1.0000000009, 1] } }));
    assert.equal(s.podUsage('a', 'p')?.containers[0]!.usage.cpuNanocores, 333_333_333);
  });

  it('needs two points for every container of a pod; the earliest container sets time and window', () => {
    const s = new MetricsStore();
    s.storeNode('n', scrape(T0, { 'a/p': { one: [0, 1] } }));
    s.storeNode('n', scrape(T0 + 10_000, { 'a/p': { one: [1, 1], two: [0, 1] } }));
    assert.equal(s.podUsage('a', 'p'), undefined, 'container two has one point');
    const third: ResourceSnapshot = {
      pods: [
        {
          namespace: 'a',
          name: 'p',
          containers: [
            { name: 'two', usage: { cpuSeconds: 1, memoryBytes: 1, timestampMs: T0 + 20_000 } },
            { name: 'one', usage: { cpuSeconds: 2, memoryBytes: 1, timestampMs: T0 + 19_000 } },
          ],
        },
      ],
    };
    s.storeNode('n', third);
    const u = s.podUsage('a', 'p')!;
    assert.deepEqual(
      u.containers.map((c) => c.name),
      ['one', 'two'],
    );
    assert.equal(u.timestampMs, T0 + 19_000);
    assert.equal(u.windowMs, 9_000);
  });

  it('starts a restarted container over, and skips a counter that went down', () => {
    const s = new MetricsStore();
    s.storeNode('n', scrape(T0, { 'a/p': { c: [50, 1, T0 - 60_000] } }));
    s.storeNode('n', scrape(T0 + 15_000, { 'a/p': { c: [0.2, 1, T0 + 5_000] } }));
    assert.equal(s.podUsage('a', 'p'), undefined, 'started after the stored sample: no previous point');
    s.storeNode('n', scrape(T0 + 30_000, { 'a/p': { c: [1.7, 1, T0 + 5_000] } }));
    assert.equal(s.podUsage('a', 'p')?.containers[0]!.usage.cpuNanocores, 100_000_000);
    // A decrease without a new start time (a buggy runtime) yields no usage for that container.
    s.storeNode('n', scrape(T0 + 45_000, { 'a/p': { c: [1.0, 1, T0 + 5_000] } }));
    assert.equal(s.podUsage('a', 'p'), undefined);
  });

  it('keeps the previous point when a scrape repeats the last timestamp', () => {
    const s = new MetricsStore();
    s.storeNode('n', scrape(T0, {}, [0, 1]));
    s.storeNode('n', scrape(T0 + 10_000, {}, [10, 1]));
    s.storeNode('n', scrape(T0 + 10_000, {}, [10, 1]));
    assert.equal(s.nodeUsage('n')?.cpuNanocores, 1_000_000_000);
    assert.equal(s.nodeUsage('n')?.windowMs, 10_000);
  });

  it('drops pods a node no longer reports, failed nodes and deleted nodes', () => {
    const s = new MetricsStore();
    s.storeNode('n1', scrape(T0, { 'a/p1': { c: [0, 1] }, 'a/p2': { c: [0, 1] } }, [0, 1]));
    s.storeNode('n2', scrape(T0, { 'a/p3': { c: [0, 1] } }, [0, 1]));
    assert.deepEqual(s.size(), { nodes: 2, pods: 3 });
    s.storeNode('n1', scrape(T0 + 1000, { 'a/p1': { c: [1, 1] } }, [1, 1]));
    assert.deepEqual(s.size(), { nodes: 2, pods: 2 });
    assert.equal(s.podUsage('a', 'p2'), undefined);
    s.dropNode('n1');
    assert.equal(s.podUsage('a', 'p1'), undefined);
    assert.equal(s.nodeUsage('n1'), undefined);
    s.retainNodes(['n1']);
    assert.deepEqual(s.size(), { nodes: 0, pods: 0 });
  });
});
