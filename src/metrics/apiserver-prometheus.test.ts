// The API server's Prometheus metrics: what a scrape shows after requests and terminated watchers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { ApiServerPrometheus } from './prometheus.js';

describe('ApiServerPrometheus', () => {
  it('counts watchers closed for falling behind by group and resource, as apiserver_terminated_watchers_total', async () => {
    const m = new ApiServerPrometheus({ registry: new Registry() });
    m.watcherTerminated('', 'pods');
    m.watcherTerminated('', 'pods');
    m.watcherTerminated('apps', 'deployments');
    const text = await m.metrics();
    assert.match(text, /^# TYPE apiserver_terminated_watchers_total counter$/m);
    assert.match(text, /^apiserver_terminated_watchers_total\{group="",resource="pods"\} 2$/m);
    assert.match(text, /^apiserver_terminated_watchers_total\{group="apps",resource="deployments"\} 1$/m);
  });
});
