import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../core/types.js';
import { SIMULATED_USAGE_ANNOTATION } from '../core/well-known.js';
import { decodeResourceMetrics } from './resource-metrics.js';
import { parseSimulatedUsage, SimulatedUsageMeter } from './simulated.js';
import { MetricsStore } from './store.js';

const T0 = 1_700_000_000_000;

function pod(
  name: string,
  usage: string | undefined,
  opts: { node?: string; phase?: string; containers?: string[] } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      ...(usage !== undefined ? { annotations: { [SIMULATED_USAGE_ANNOTATION]: usage } } : {}),
    },
    spec: { nodeName: opts.node ?? 'sim-0', containers: (opts.containers ?? ['app']).map((n) => ({ name: n })) },
    status: { phase: opts.phase ?? 'Running', startTime: new Date(T0 - 60_000).toISOString() },
  };
}

describe('simulated usage', () => {
  it('parses the annotation', () => {
    assert.deepEqual(parseSimulatedUsage('cpu=250m,memory=64Mi'), { cpuMillis: 250, memoryBytes: 64 * 2 ** 20 });
    assert.deepEqual(parseSimulatedUsage(' memory = 1Gi '), { cpuMillis: 0, memoryBytes: 2 ** 30 });
    assert.deepEqual(parseSimulatedUsage('cpu=1.5'), { cpuMillis: 1500, memoryBytes: 0 });
    assert.deepEqual(parseSimulatedUsage(''), { cpuMillis: 0, memoryBytes: 0 });
    for (const bad of ['cpu', 'cpu=abc', 'gpu=1', 'cpu=-1']) assert.equal(parseSimulatedUsage(bad), undefined, bad);
    assert.equal(parseSimulatedUsage(undefined), undefined);
  });

  it('integrates each container rate into cumulative counters the store turns back into usage', () => {
    const meter = new SimulatedUsageMeter();
    const store = new MetricsStore();
    let pods = [
      pod('web', 'cpu=250m,memory=64Mi', { containers: ['app', 'side'] }),
      pod('idle', undefined),
      pod('other', 'cpu=1', { node: 'sim-1' }),
    ];
    const scrapeAt = (t: number) => store.storeNode('sim-0', decodeResourceMetrics(meter.render('sim-0', pods, t), t));
    scrapeAt(T0);
    scrapeAt(T0 + 15_000);
    const u = store.podUsage('default', 'web')!;
    assert.deepEqual(
      u.containers.map((c) => [c.name, c.usage.cpuNanocores, c.usage.memoryBytes]),
      [
        ['app', 250_000_000, 64 * 2 ** 20],
        ['side', 250_000_000, 64 * 2 ** 20],
      ],
    );
    assert.equal(store.nodeUsage('sim-0')?.cpuNanocores, 500_000_000);
    assert.equal(store.podUsage('default', 'idle'), undefined, 'no annotation: no metrics');
    assert.equal(store.podUsage('default', 'other'), undefined, 'another node');

    // The rate changes from the next interval on; the counter never goes back.
    pods = [pod('web', 'cpu=1,memory=64Mi', { containers: ['app', 'side'] })];
    scrapeAt(T0 + 30_000);
    assert.equal(store.podUsage('default', 'web')!.containers[0]!.usage.cpuNanocores, 250_000_000);
    scrapeAt(T0 + 45_000);
    assert.equal(store.podUsage('default', 'web')!.containers[0]!.usage.cpuNanocores, 1_000_000_000);
  });

  it('reports nothing for pods that are not running, and forgets containers that went away', () => {
    const meter = new SimulatedUsageMeter({ nodeBase: { cpuMillis: 100, memoryBytes: 2 ** 30 } });
    const s1 = meter.snapshot('sim-0', [pod('p', 'cpu=1', { phase: 'Pending' })], T0);
    assert.deepEqual(s1.pods, []);
    assert.equal(s1.node?.memoryBytes, 2 ** 30);
    meter.snapshot('sim-0', [pod('p', 'cpu=1')], T0 + 1000);
    const s2 = meter.snapshot('sim-0', [pod('p', 'cpu=1')], T0 + 2000);
    assert.equal(s2.pods[0]!.containers[0]!.usage.cpuSeconds, 1);
    meter.snapshot('sim-0', [], T0 + 3000);
    const s3 = meter.snapshot('sim-0', [pod('p', 'cpu=1')], T0 + 4000);
    assert.equal(s3.pods[0]!.containers[0]!.usage.cpuSeconds, 0, 'a container seen again starts a new counter');
    // The node's own 100m for 4 s, plus the pod's 1 core over the two intervals that followed its readings.
    assert.ok(Math.abs(s3.node!.cpuSeconds - 2.4) < 1e-9, 'the node counter keeps counting');
  });
});
