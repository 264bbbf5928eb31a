import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodMetrics, PodMetricsList } from '../../core/metrics-api.js';
import { parseLabelSelector } from '../../core/selectors/index.js';
import { parseGoDuration } from './go-duration.js';
import { podMetricsInfo, RestMetricsClient } from './metrics-client.js';

const item = (name: string, labels: Record<string, string>, cpu: string[]): PodMetrics => ({
  metadata: { name, namespace: 'ns', labels },
  timestamp: '2026-01-01T00:00:15Z',
  window: '15.002s',
  containers: cpu.map((c, i) => ({ name: `c${i}`, usage: { cpu: c, memory: '1Mi' } })),
});

describe('resource metrics client (upstream metrics/client.go)', () => {
  it('sums containers in milli-units, and skips pods missing the resource', () => {
    const m = podMetricsInfo(
      [
        item('a', {}, ['250m', '1234567n']),
        { ...item('b', {}, ['1']), containers: [{ name: 'x', usage: { memory: '1' } }] },
        item('c', {}, []),
      ],
      'cpu',
      '',
    );
    assert.deepEqual([...m], [['a', { value: 252, timestampMs: Date.UTC(2026, 0, 1, 0, 0, 15), windowMs: 15002 }]]);
    assert.equal(podMetricsInfo([item('a', {}, ['250m', '2'])], 'cpu', 'c1').get('a')?.value, 2000);
    assert.throws(
      () => podMetricsInfo([item('a', {}, ['1'])], 'cpu', 'nope'),
      /^Error: container nope not present in metrics for pod ns\/a$/,
    );
  });

  it('lists by selector and words errors as upstream', async () => {
    const calls: unknown[] = [];
    const ok = new RestMetricsClient({
      requestJson: async <T>(method: string, path: string, query?: unknown) => {
        calls.push([method, path, query]);
        return { metadata: {}, items: [item('a', { app: 'x' }, ['100m'])] } as T;
      },
    });
    const r = await ok.getResourceMetric('cpu', 'ns', parseLabelSelector('app=x'), '');
    assert.equal(r.metrics.get('a')?.value, 100);
    assert.deepEqual(calls, [['GET', '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods', { labelSelector: 'app=x' }]]);
    const empty = new RestMetricsClient({ requestJson: async <T>() => ({ metadata: {}, items: [] }) as T });
    await assert.rejects(
      empty.getResourceMetric('cpu', 'ns', parseLabelSelector('app=x'), ''),
      /^Error: no metrics returned from resource metrics API$/,
    );
    const down = new RestMetricsClient({
      requestJson: async () => {
        throw new Error('the server could not find the requested resource');
      },
    });
    await assert.rejects(
      down.getResourceMetric('cpu', 'ns', parseLabelSelector('app=x'), ''),
      /^Error: unable to fetch metrics from resource metrics API: the server could not find the requested resource$/,
    );
    await assert.rejects(
      ok.getResourceMetric('cpu', 'ns', parseLabelSelector('app=x'), 'zz'),
      /^Error: failed to get container metrics: /,
    );
  });

  it('reads a busy namespace in one list shared until it is stale', async () => {
    let lists = 0;
    let now = 0;
    const all: PodMetricsList = {
      metadata: {},
      items: [
        item('a', { app: 'x', tier: 't' }, ['100m']),
        item('b', { app: 'y' }, ['200m']),
        item('c', { app: 'x' }, ['300m']),
      ],
    };
    const c = new RestMetricsClient(
      {
        requestJson: async <T>(_m: string, _p: string, q?: Record<string, string | undefined>) => {
          lists++;
          assert.equal(q?.labelSelector, undefined);
          return all as T;
        },
      },
      { wholeNamespace: () => true, namespaceListTtlMs: 1000, now: () => now },
    );
    const names = async (sel: string) => [
      ...(await c.getResourceMetric('cpu', 'ns', parseLabelSelector(sel), '')).metrics.keys(),
    ];
    assert.deepEqual(await Promise.all([names('app=x'), names('app=y'), names('tier')]), [['a', 'c'], ['b'], ['a']]);
    assert.equal(lists, 1);
    now = 999;
    await names('app=x');
    assert.equal(lists, 1);
    now = 1000;
    await names('app=x');
    assert.equal(lists, 2);
    await assert.rejects(names('app=z'), /no metrics returned from resource metrics API/);
  });

  it('reads Go durations', () => {
    const cases: [string, number | undefined][] = [
      ['15s', 15000],
      ['15.002s', 15002],
      ['1m0s', 60000],
      ['1h2m3.5s', 3723500],
      ['500ms', 500],
      ['0', 0],
      ['1.5us', 0.0015],
      ['', undefined],
      ['15', undefined],
      ['s', undefined],
    ];
    for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
  });
});
