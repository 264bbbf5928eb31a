import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock.js';
import { makePod } from '../framework/testing.js';
import { SchedulingQueue } from './scheduling-queue.js';

const names = (q: SchedulingQueue) => {
  const out: string[] = [];
  for (let p = q.pop(); p; p = q.pop()) out.push(p.pod.metadata.name!);
  return out;
};

test('activeQ orders by priority then creation time, and dedups by uid', () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  q.add(makePod('late', { creationTimestamp: '2024-01-01T00:00:02Z' }));
  q.add(makePod('early', { creationTimestamp: '2024-01-01T00:00:01Z' }));
  q.add(makePod('vip', { priority: 1000, creationTimestamp: '2024-01-01T00:00:03Z' }));
  q.add(makePod('early', { creationTimestamp: '2024-01-01T00:00:01Z' }));
  assert.equal(q.lengths.active, 3);
  assert.deepEqual(names(q), ['vip', 'early', 'late']);
});

test('unschedulable pods wait for a cluster event, then back off 1s, 2s, 4s... up to 10s', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(makePod('p'));
  let item = q.pop()!;
  q.requeueFailed(item, 'unschedulable');
  assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
  q.onClusterEvent('NodeAdd'); // still within its 1s backoff
  assert.equal(q.lengths.backoff, 1);
  clock.advance(999);
  q.flush();
  assert.equal(q.pop(), undefined);
  clock.advance(1);
  q.flush();
  item = q.pop()!;
  assert.equal(item.attempts, 1);
  assert.deepEqual(
    [1, 2, 3, 4, 5, 9].map((n) => q.backoffDuration(n)),
    [1000, 2000, 4000, 8000, 10000, 10000],
  );
});

test('unschedulable pods are flushed after 60s without events', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(makePod('p'));
  q.requeueFailed(q.pop()!, 'unschedulable');
  clock.advance(59_999);
  q.flush();
  assert.equal(q.lengths.unschedulable, 1);
  clock.advance(1);
  q.flush();
  assert.equal(q.pop()?.pod.metadata.name, 'p');
});

test('an event during the attempt sends the failed pod to backoff, not parking', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add(makePod('p'));
  const item = q.pop()!;
  q.onClusterEvent('PodDelete');
  q.requeueFailed(item, 'unschedulable');
  assert.deepEqual(q.lengths, { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
});

test('delete removes the pod everywhere; waitForPod resolves on add', async () => {
  const q = new SchedulingQueue({ clock: new FakeClock() });
  const waiting = q.waitForPod();
  q.add(makePod('p'));
  await waiting;
  q.delete(makePod('p'));
  assert.equal(q.pop(), undefined);
});

test('an unschedulable pod stays put when only its status changes, and is retried when its spec or labels do', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  const pod = makePod('p');
  q.add(pod);
  q.requeueFailed(q.pop()!, 'unschedulable');
  // The scheduler's own PodScheduled=False write, as the informer hands it back.
  const written = structuredClone(pod);
  written.metadata.resourceVersion = '7';
  written.status = { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
  q.update(written, pod);
  assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
  const relabelled = structuredClone(written);
  relabelled.metadata.labels = { ...(relabelled.metadata.labels ?? {}), zone: 'b' };
  clock.advance(2000);
  q.update(relabelled, written);
  assert.deepEqual(q.lengths, { active: 1, backoff: 0, unschedulable: 0, inFlight: 0 });
  assert.equal(q.pop()!.pod.metadata.labels?.zone, 'b');
});

test('a pod changed while its attempt runs backs off after a failure instead of waiting for an event', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  const pod = makePod('p');
  q.add(pod);
  const item = q.pop()!;
  const tolerated = structuredClone(pod);
  tolerated.spec = { ...tolerated.spec!, tolerations: [{ operator: 'Exists' }] };
  q.update(tolerated, pod);
  q.requeueFailed(item, 'unschedulable');
  assert.deepEqual(q.lengths, { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  // The next failure, with nothing changed meanwhile, parks it again.
  clock.advance(2000);
  q.flush();
  q.requeueFailed(q.pop()!, 'unschedulable');
  assert.deepEqual(q.lengths, { active: 0, backoff: 0, unschedulable: 1, inFlight: 0 });
});
