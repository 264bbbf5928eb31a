import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeResourceMetrics, renderResourceMetrics, type ResourceSnapshot } from './resource-metrics.js';
import { KUBELET_RESOURCE_METRICS } from './testing/kubelet-sample.js';

describe('/metrics/resource', () => {
  it('decodes the node and complete containers as metrics-server does', () => {
    const s = decodeResourceMetrics(KUBELET_RESOURCE_METRICS, 1);
    assert.deepEqual(s.node, { cpuSeconds: 357.35491, memoryBytes: 1466544128, timestampMs: 1719999999000 });
    assert.deepEqual(
      s.pods.map((p) => [p.namespace, p.name, p.containers.map((c) => c.name)]),
      [
        ['kube-system', 'coredns-6799fbcd5-x8b2l', ['coredns']],
        ['default', 'web-7c5d', ['app', 'sidecar']],
      ],
      'late-1 has no memory reading yet and is left out',
    );
    const coredns = s.pods[0]!.containers[0]!.usage;
    assert.deepEqual(coredns, {
      cpuSeconds: 12.345678901,
      memoryBytes: 13451264,
      timestampMs: 1719999999123,
      startTimeMs: 1719900000000,
    });
    assert.deepEqual(s.pods[1]!.usage, { cpuSeconds: 1.75, memoryBytes: 5242880, timestampMs: 1719999999100 });
    assert.equal(s.pods[1]!.containers[1]!.usage.startTimeMs, undefined);
  });

  it('takes the scrape time for samples without a timestamp', () => {
    const s = decodeResourceMetrics('node_cpu_usage_seconds_total 2\nnode_memory_working_set_bytes 3\n', 42);
    assert.deepEqual(s.node, { cpuSeconds: 2, memoryBytes: 3, timestampMs: 42 });
    assert.deepEqual(s.pods, []);
  });

  it('renders what the kubelet serves, and decodes back', () => {
    const snap: ResourceSnapshot = {
      node: { cpuSeconds: 10.5, memoryBytes: 2 ** 30, timestampMs: 1700000001000 },
      pods: [
        {
          namespace: 'default',
          name: 'web',
          usage: { cpuSeconds: 3, memoryBytes: 4194304, timestampMs: 1700000001000 },
          containers: [
            {
              name: 'c',
              usage: { cpuSeconds: 3, memoryBytes: 4194304, timestampMs: 1700000001000, startTimeMs: 1700000000000 },
            },
          ],
        },
      ],
    };
    const text = renderResourceMetrics(snap);
    assert.match(
      text,
      /^# HELP container_cpu_usage_seconds_total \[STABLE\] Cumulative cpu time consumed by the container in core-seconds\n# TYPE container_cpu_usage_seconds_total counter\ncontainer_cpu_usage_seconds_total\{container="c",namespace="default",pod="web"\} 3 1700000001000\n/,
    );
    assert.match(
      text,
      /\ncontainer_start_time_seconds\{container="c",namespace="default",pod="web"\} 1\.7e\+09 1700000001000\n/,
    );
    assert.match(text, /\nnode_memory_working_set_bytes 1\.073741824e\+09 1700000001000\n/);
    assert.match(text, /\nresource_scrape_error 0\n$/);
    assert.deepEqual(decodeResourceMetrics(text, 0), snap);
  });
});
