import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiClient } from './api-client.js';
import type { Lease } from '../core/types.js';
import { LeaderElector, type LeaderElectorOptions } from './leader-election.js';
import { FakeApiServer } from './testing/fake-server.js';
import { waitFor } from './testing/wait.js';

// Short durations: lease 2 s, renew deadline 1 s, retry 0.2 s.
const timing = { leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 200 };

describe('LeaderElector', () => {
  let server: FakeApiServer;
  const clients: ApiClient[] = [];
  const electors: LeaderElector[] = [];
  /** Leadership timeline across all candidates; at most one may lead at any moment. */
  let leading: string[];
  let maxConcurrent: number;
  let timeline: string[];

  beforeEach(async () => {
    server = await FakeApiServer.start();
    leading = [];
    maxConcurrent = 0;
    timeline = [];
  });
  afterEach(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    electors.length = 0;
    for (const c of clients) c.close();
    clients.length = 0;
    await server.stop();
  });

  function candidate(identity: string, extra: Partial<LeaderElectorOptions> = {}) {
    const client = new ApiClient({ server: server.url, userAgent: identity });
    clients.push(client);
    const signals: AbortSignal[] = [];
    const e = new LeaderElector({
      client,
      namespace: 'kube-system',
      name: 'tutti-controller-manager',
      identity,
      ...timing,
      onStartedLeading: (signal) => {
        signals.push(signal);
        leading.push(identity);
        timeline.push(`start ${identity}`);
        maxConcurrent = Math.max(maxConcurrent, leading.length);
      },
      onStoppedLeading: () => {
        leading = leading.filter((l) => l !== identity);
        timeline.push(`stop ${identity}`);
      },
      ...extra,
    });
    electors.push(e);
    void e.run();
    return { elector: e, signals };
  }

  const lease = () =>
    server.getObject('coordination.k8s.io', 'leases', 'kube-system', 'tutti-controller-manager') as Lease | undefined;

  it('the first candidate creates the Lease and leads; the second waits', async () => {
    const a = candidate('a');
    await waitFor(() => a.elector.isLeader());
    const b = candidate('b');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(b.elector.isLeader(), false);
    assert.equal(b.elector.leader(), 'a');
    const spec = lease()!.spec!;
    assert.equal(spec.holderIdentity, 'a');
    assert.equal(spec.leaseDurationSeconds, 2);
    assert.equal(spec.leaseTransitions, 0);
    assert.match(spec.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const firstRenew = spec.renewTime;
    await new Promise((r) => setTimeout(r, 300));
    assert.notEqual(lease()!.spec!.renewTime, firstRenew, 'the leader keeps renewing');
  });

  it('hands over when the leader stops renewing, never with two leaders at once', async () => {
    const a = candidate('a');
    await waitFor(() => a.elector.isLeader());
    const b = candidate('b');
    await new Promise((r) => setTimeout(r, 300));
    // Cut a off from the server: its renewals fail.
    server.fault = (r) => (r.userAgent === 'a' ? 503 : undefined);
    await waitFor(() => b.elector.isLeader(), 5000);
    assert.equal(a.elector.isLeader(), false);
    assert.equal(a.signals[0]!.aborted, true, 'the old leader was told to stop its work');
    assert.deepEqual(timeline, ['start a', 'stop a', 'start b']);
    assert.equal(maxConcurrent, 1);
    const spec = lease()!.spec!;
    assert.equal(spec.holderIdentity, 'b');
    assert.equal(spec.leaseTransitions, 1);
  });

  it('campaigns again after losing the lease, once its work has stopped', async () => {
    let stopping = 0;
    const a = candidate('a', {
      onStartedLeading: () => {
        timeline.push('start a');
      },
      onStoppedLeading: async () => {
        stopping++;
        await new Promise((r) => setTimeout(r, 300));
        timeline.push('stop a');
      },
    });
    await waitFor(() => a.elector.isLeader());
    server.fault = (r) => (r.userAgent === 'a' ? 503 : undefined);
    await waitFor(() => stopping === 1, 5000);
    assert.equal(a.elector.isLeader(), false);
    server.fault = undefined;
    await waitFor(() => a.elector.isLeader(), 5000);
    assert.deepEqual(timeline, ['start a', 'stop a', 'start a']);
    assert.equal(lease()!.spec!.holderIdentity, 'a');
  });

  it('releases the Lease on stop so a successor takes over without waiting for expiry', async () => {
    const a = candidate('a');
    await waitFor(() => a.elector.isLeader());
    const b = candidate('b');
    await new Promise((r) => setTimeout(r, 300));
    const stoppedAt = Date.now();
    await a.elector.stop();
    assert.equal(lease()!.spec!.holderIdentity, '');
    await waitFor(() => b.elector.isLeader(), 5000);
    assert.ok(Date.now() - stoppedAt < 1500, 'faster than the 2 s lease duration');
    assert.deepEqual(timeline, ['start a', 'stop a', 'start b']);
  });

  it('of several candidates racing for an absent Lease exactly one wins', async () => {
    for (const id of ['a', 'b', 'c', 'd']) candidate(id);
    await waitFor(() => leading.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(maxConcurrent, 1);
    assert.equal(electors.filter((e) => e.isLeader()).length, 1);
  });

  it('rejects timings that could let two leaders overlap', () => {
    const client = new ApiClient({ server: 'http://127.0.0.1:1' });
    clients.push(client);
    const base = {
      client,
      namespace: 'x',
      name: 'y',
      identity: 'z',
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }));
    assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }));
  });
});
