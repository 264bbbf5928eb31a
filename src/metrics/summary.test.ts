import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResourceSnapshot } from './resource-metrics.js';
import { snapshotFromSummary, summaryFromSnapshot } from './summary.js';

const T0 = Date.UTC(2026, 0, 1);

const snap = (t: number, cpu: number): ResourceSnapshot => ({
  node: { cpuSeconds: cpu * 4, memoryBytes: 2 ** 30, timestampMs: t },
  pods: [
    {
      namespace: 'default',
      name: 'web',
      usage: { cpuSeconds: cpu, memoryBytes: 4096, timestampMs: t },
      containers: [
        { name: 'app', usage: { cpuSeconds: cpu, memoryBytes: 4096, timestampMs: t, startTimeMs: T0 - 5000 } },
      ],
    },
  ],
});

describe('/stats/summary', () => {
  it('writes the kubelet shape with cumulative and rate CPU', () => {
    const s = summaryFromSnapshot(snap(T0 + 10_000, 3), {
      nodeName: 'n1',
      previous: snap(T0, 1),
      podUids: new Map([['default/web', 'u-1']]),
    });
    assert.deepEqual(s.node, {
      nodeName: 'n1',
      cpu: { time: '2026-01-01T00:00:10Z', usageCoreNanoSeconds: 12e9, usageNanoCores: 800_000_000 },
      memory: { time: '2026-01-01T00:00:10Z', workingSetBytes: 2 ** 30 },
    });
    assert.deepEqual(s.pods[0], {
      podRef: { name: 'web', namespace: 'default', uid: 'u-1' },
      containers: [
        {
          name: 'app',
          startTime: '2025-12-31T23:59:55Z',
          cpu: { time: '2026-01-01T00:00:10Z', usageCoreNanoSeconds: 3e9, usageNanoCores: 200_000_000 },
          memory: { time: '2026-01-01T00:00:10Z', workingSetBytes: 4096 },
        },
      ],
      cpu: { time: '2026-01-01T00:00:10Z', usageCoreNanoSeconds: 3e9, usageNanoCores: 200_000_000 },
      memory: { time: '2026-01-01T00:00:10Z', workingSetBytes: 4096 },
    });
    assert.equal(summaryFromSnapshot(snap(T0, 1), { nodeName: 'n1' }).node.cpu?.usageNanoCores, undefined);
  });

  it('reads the cumulative readings back', () => {
    const back = snapshotFromSummary(summaryFromSnapshot(snap(T0 + 10_000, 3), { nodeName: 'n1' }));
    assert.deepEqual(back, snap(T0 + 10_000, 3));
  });
});
