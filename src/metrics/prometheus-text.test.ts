import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPrometheusText, PrometheusParseError, parsePrometheusText } from './prometheus-text.js';
import { KUBELET_RESOURCE_METRICS } from './testing/kubelet-sample.js';

describe('Prometheus text format', () => {
  it('reads every sample of a kubelet answer with labels and timestamps', () => {
    const samples = parsePrometheusText(KUBELET_RESOURCE_METRICS);
    assert.equal(samples.length, 14);
    assert.deepEqual(samples[0], {
      name: 'container_cpu_usage_seconds_total',
      labels: { container: 'coredns', namespace: 'kube-system', pod: 'coredns-6799fbcd5-x8b2l' },
      value: 12.345678901,
      timestampMs: 1719999999123,
    });
    const node = samples.find((s) => s.name === 'node_memory_working_set_bytes');
    assert.equal(node?.value, 1466544128);
    assert.deepEqual(node?.labels, {});
    const err = samples.at(-1)!;
    assert.equal(err.name, 'resource_scrape_error');
    assert.equal(err.timestampMs, undefined);
  });

  it('handles escapes, spaces, special values and CRLF-free blank lines', () => {
    const text = 'm{a="x\\"y\\\\z\\n", b = "2" ,} NaN\n\nm2 +Inf 5\nm3{} -Inf\nm4 1e-3\n';
    const s = parsePrometheusText(text);
    assert.deepEqual(s[0]!.labels, { a: 'x"y\\z\n', b: '2' });
    assert.ok(Number.isNaN(s[0]!.value));
    assert.equal(s[1]!.value, Number.POSITIVE_INFINITY);
    assert.equal(s[1]!.timestampMs, 5);
    assert.equal(s[2]!.value, Number.NEGATIVE_INFINITY);
    assert.equal(s[3]!.value, 0.001);
  });

  it('rejects malformed lines with their line number', () => {
    assert.throws(
      () => parsePrometheusText('ok 1\n{a="b"} 1\n'),
      (e: unknown) => e instanceof PrometheusParseError && /line 2/.test(String(e)),
    );
    assert.throws(() => parsePrometheusText('m{a="b} 1\n'), PrometheusParseError);
    assert.throws(() => parsePrometheusText('m abc\n'), PrometheusParseError);
    assert.throws(() => parsePrometheusText('m 1 2 3\n'), PrometheusParseError);
    assert.throws(() => parsePrometheusText('m 1 1.5\n'), PrometheusParseError);
  });

  it('writes what it reads', () => {
    const text = formatPrometheusText([
      {
        name: 'container_memory_working_set_bytes',
        help: '[STABLE] Current working set of the container in bytes',
        type: 'gauge',
        samples: [
          { labels: { container: 'c', namespace: 'n', pod: 'p"q' }, value: 13451264, timestampMs: 1700000000000 },
        ],
      },
    ]);
    assert.equal(
      text,
      '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes\n' +
        '# TYPE container_memory_working_set_bytes gauge\n' +
        'container_memory_working_set_bytes{container="c",namespace="n",pod="p\\"q"} 1.3451264e+07 1700000000000\n',
    );
    assert.deepEqual(parsePrometheusText(text)[0]!.labels, { container: 'c', namespace: 'n', pod: 'p"q' });
  });
});
