import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeResourceMetrics, renderResourceMetrics } from '../../metrics/index.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pods/labels.js';
import type { ContainerStats, ContainerSummary } from '../runtime/index.js';
import { parseMeminfoWorkingSet, parseProcStatCpuSeconds } from './node-usage.js';
import { snapshotFromRuntime } from './resource-stats.js';

const T = new Date('2026-12-02T03:00:00Z');

function container(
  id: string,
  pod: string,
  name: string,
  state: ContainerSummary['state'] = 'running',
): ContainerSummary {
  return {
    id,
    sandboxId: `sb-${pod}`,
    name,
    attempt: 0,
    image: 'busybox',
    imageRef: 'busybox',
    state,
    createdAt: new Date(T.getTime() - 60_000),
    labels: {
      [LABEL_POD_NAMESPACE]: 'default',
      [LABEL_POD_NAME]: pod,
      [LABEL_CONTAINER_NAME]: name,
      [LABEL_POD_UID]: `uid-${pod}`,
    },
    annotations: {},
  };
}

const stat = (id: string, cpuNs: bigint | undefined, ws: bigint | undefined): ContainerStats => ({
  id,
  name: id,
  ...(cpuNs === undefined ? {} : { cpu: { timestamp: T, usageCoreNanoSeconds: cpuNs } }),
  ...(ws === undefined ? {} : { memory: { timestamp: T, workingSetBytes: ws } }),
});

describe('node usage from /proc', () => {
  it('counts non-idle ticks of the cpu line in seconds (USER_HZ 100)', () => {
    const text = 'cpu  100 20 30 5000 40 1 2 3 0 0\ncpu0 50 10 15 2500 20 0 1 1 0 0\nintr 1\n';
    assert.equal(parseProcStatCpuSeconds(text), (100 + 20 + 30 + 1 + 2 + 3) / 100);
    assert.equal(parseProcStatCpuSeconds('intr 1\n'), undefined);
  });
  it('working set is MemTotal - MemFree - Inactive(file), not below zero', () => {
    const text = 'MemTotal:       8000 kB\nMemFree:        2000 kB\nInactive(file):  1000 kB\nActive(file): 5 kB\n';
    assert.equal(parseMeminfoWorkingSet(text), (8000 - 2000 - 1000) * 1024);
    assert.equal(parseMeminfoWorkingSet('MemTotal: 10 kB\nMemFree: 2 kB\nInactive(file): 50 kB\n'), 0);
    assert.equal(parseMeminfoWorkingSet('MemTotal: 10 kB\n'), undefined);
  });
});

describe('snapshotFromRuntime', () => {
  it('groups running containers with CPU and memory into pods, by the workers labels', () => {
    const { snapshot, podUids } = snapshotFromRuntime(
      [
        container('a1', 'web', 'app'),
        container('a2', 'web', 'sidecar'),
        container('b1', 'db', 'db', 'exited'),
        container('c1', 'nostats', 'x'),
        { ...container('d1', 'foreign', 'y'), labels: {} },
      ],
      [
        stat('a1', 2_500_000_000n, 64n * 1024n * 1024n),
        stat('a2', 500_000_000n, 1024n),
        stat('b1', 1n, 1n),
        stat('c1', 5n, undefined),
        stat('d1', 5n, 5n),
      ],
      { cpuSeconds: 100, memoryBytes: 1e9, timestampMs: T.getTime() },
    );
    assert.deepEqual(
      snapshot.pods.map((p) => [p.name, p.containers.map((c) => c.name)]),
      [['web', ['app', 'sidecar']]],
    );
    const web = snapshot.pods[0]!;
    assert.equal(web.containers[0]!.usage.cpuSeconds, 2.5);
    assert.equal(web.containers[0]!.usage.memoryBytes, 64 * 1024 * 1024);
    assert.equal(web.containers[0]!.usage.startTimeMs, T.getTime() - 60_000);
    assert.equal(web.usage?.cpuSeconds, 3);
    assert.equal(web.usage?.memoryBytes, 64 * 1024 * 1024 + 1024);
    assert.equal(podUids.get('default/web'), 'uid-web');
    assert.equal(snapshot.node?.cpuSeconds, 100);
  });
  it('renders as /metrics/resource text that metrics-server decoding reads back', () => {
    const { snapshot } = snapshotFromRuntime([container('a1', 'web', 'app')], [stat('a1', 1_234_000_000n, 4096n)], {
      cpuSeconds: 7,
      memoryBytes: 8192,
      timestampMs: T.getTime(),
    });
    const back = decodeResourceMetrics(renderResourceMetrics(snapshot), 0);
    assert.equal(back.pods[0]?.containers[0]?.usage.cpuSeconds, 1.234);
    assert.equal(back.pods[0]?.containers[0]?.usage.memoryBytes, 4096);
    assert.equal(back.node?.memoryBytes, 8192);
  });
});
