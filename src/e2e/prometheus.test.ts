// Prometheus /metrics of `tutti server` (API server, with the scheduler's and the controller manager's
// registries from their worker threads) fetched over HTTPS with a token, as a Prometheus scrape does, and
// parsed: every sample parses, belongs to a family declared once with # TYPE, and the upstream families
// are there with the labels upstream gives them. Without a token: 401.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, startTestServer, type TestServer } from './harness.js';
import { parseExposition } from './prometheus-exposition.js';

describe('Prometheus /metrics of tutti server', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ controlPlane: true });
  });
  after(async () => {
    await s?.stop();
  });

  it('needs a token; the scrape token reads /metrics and nothing else', async () => {
    const r = await s.request('GET', '/metrics', undefined, { authorization: '' });
    assert.equal(r.status, 401);
    const token = readFileSync(join(s.dataDir, 'metrics-token'), 'utf8').trim();
    const scrape = await s.request('GET', '/metrics', undefined, { authorization: `Bearer ${token}` });
    assert.equal(scrape.status, 200);
    assert.ok(parseExposition(scrape.body).types.has('apiserver_request_total'));
    const pods = await s.request('GET', '/api/v1/pods', undefined, { authorization: `Bearer ${token}` });
    assert.equal(pods.status, 403);
  });

  it('serves the API server, scheduler, controller manager and process families with upstream labels', async () => {
    await s.k('create', 'deployment', 'web', '--image=busybox', '--replicas=2');
    await s.k('get', 'pods');
    await s.k('get', 'pods', 'nope', '--ignore-not-found');
    // The scheduler has tried the Deployment's pods (no nodes: unschedulable).
    const { samples, types } = await pollUntil(
      'scheduler attempts',
      async () => {
        const r = await s.request('GET', '/metrics');
        assert.equal(r.status, 200);
        assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
        const parsed = parseExposition(r.body);
        return parsed.samples.some((x) => x.name === 'scheduler_schedule_attempts_total' && x.value > 0)
          ? parsed
          : undefined;
      },
      20_000,
      500,
    );
    const find = (name: string, labels: Record<string, string> = {}) =>
      samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
    assert.equal(types.get('apiserver_request_total'), 'counter');
    assert.equal(types.get('apiserver_request_duration_seconds'), 'histogram');
    const lists = find('apiserver_request_total', { verb: 'LIST', resource: 'pods', code: '200', scope: 'namespace' });
    assert.ok(lists.length === 1 && lists[0]!.value >= 1, 'LIST pods 200');
    assert.equal(lists[0]!.labels.component, 'apiserver');
    assert.ok(
      find('apiserver_request_total', { verb: 'GET', resource: 'pods', code: '404', scope: 'resource' }).length,
    );
    assert.ok(
      find('apiserver_request_total', { verb: 'POST', group: 'apps', resource: 'deployments', code: '201' }).length,
    );
    assert.ok(find('apiserver_request_duration_seconds_bucket', { verb: 'LIST', resource: 'pods', le: '+Inf' }).length);
    assert.ok(find('apiserver_storage_objects', { resource: 'namespaces' })[0]!.value >= 4);
    assert.equal(find('apiserver_storage_objects', { resource: 'deployments.apps' })[0]?.value, 1);
    // The controller manager and the scheduler watch pods through the API server.
    assert.ok(find('apiserver_longrunning_requests', { verb: 'WATCH', resource: 'pods' })[0]!.value >= 1);
    assert.ok(find('apiserver_registered_watchers', { kind: 'Pod' })[0]!.value >= 1);
    assert.ok(
      find('scheduler_schedule_attempts_total', { result: 'unschedulable', profile: 'default-scheduler' }).length,
    );
    assert.ok(find('scheduler_scheduling_attempt_duration_seconds_count', { result: 'unschedulable' }).length);
    assert.ok(find('scheduler_pending_pods', { queue: 'unschedulable' }).length);
    assert.ok(find('scheduler_pending_pods', { queue: 'active' }).length);
    assert.ok(find('workqueue_adds_total', { name: 'deployment' })[0]!.value >= 1);
    assert.ok(find('workqueue_adds_total', { name: 'replicaset' })[0]!.value >= 1);
    assert.ok(find('workqueue_depth', { name: 'deployment' }).length);
    assert.ok(find('process_cpu_seconds_total')[0]!.value > 0);
    assert.ok(find('process_resident_memory_bytes')[0]!.value > 0);
  });
});
