// Issue 16: a PriorityClass preempts a lower-priority pod on a full simulated node, as upstream's
// DefaultPreemption: the scheduler nominates the node, marks the victim DisruptionTarget and deletes it, then
// binds the preemptor there. Driven by kubectl against a whole `tutti server`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../core/index.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

const pod = (name: string, priorityClassName: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    priorityClassName,
    containers: [{ name: 'c', image: 'busybox:1.36', resources: { requests: { cpu: '800m' } } }],
  },
});

describe('priority preemption on a full simulated node', () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  const apply = async (obj: unknown) => {
    const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
    assert.equal(r.code, 0, r.stderr);
  };

  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true },
      {
        count: 1,
        capacity: { cpu: '1', memory: '4Gi', pods: '110' },
        podStartMs: 100,
        podDeleteMs: 200,
        leaseRenewMs: 1000,
        statusUpdateMs: 1000,
      },
    );
    ({ s } = cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('evicts the low-priority pod and runs the high-priority one in its place', async () => {
    await s.k('create', 'priorityclass', 'low', '--value=10');
    await s.k('create', 'priorityclass', 'high', '--value=1000');
    await s.k('create', 'priorityclass', 'high-never', '--value=1000', '--preemption-policy=Never');
    await apply(pod('victim', 'low'));
    const running = async (name: string) => {
      const p = JSON.parse(await s.k('get', 'pod', name, '-o', 'json')) as Pod;
      return p.status?.phase === 'Running' ? p : undefined;
    };
    const victim = await pollUntil('the low-priority pod Running', () => running('victim'), 30_000, 100);
    assert.equal(victim.spec?.priority, 10);
    // A pod that may not preempt (its class says Never) stays Pending beside it.
    await apply(pod('polite', 'high-never'));
    await pollUntil(
      'the polite pod unschedulable',
      async () => {
        const p = JSON.parse(await s.k('get', 'pod', 'polite', '-o', 'json')) as Pod;
        return p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable');
      },
      30_000,
      100,
    );
    await s.k('delete', 'pod', 'polite', '--wait=false');
    await apply(pod('preemptor', 'high'));
    const winner = await pollUntil('the high-priority pod Running', () => running('preemptor'), 60_000, 100);
    assert.equal(winner.spec?.nodeName, victim.spec?.nodeName);
    // The victim is gone, and was told why.
    assert.equal((await s.k('get', 'pod', 'victim', '--ignore-not-found', '-o', 'name')).trim(), '');
    const events = JSON.parse(
      await s.k('get', 'events', '--field-selector', 'involvedObject.name=victim,reason=Preempted', '-o', 'json'),
    ) as { items: { message: string }[] };
    assert.ok(
      events.items.some(
        (e) => e.message === `Preempted by pod ${winner.metadata.uid} on node ${victim.spec?.nodeName}`,
      ),
      JSON.stringify(events.items),
    );
  });
});
