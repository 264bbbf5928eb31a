import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from './clock.js';
import { defaultProfile } from './default-profile.js';
import type { PersistentVolumeClaim, Pod } from '../core/types.js';
import { makeNode, makePod, seededRandom } from './framework/testing.js';
import { Scheduler, type SchedulerIO } from './scheduler.js';

interface Recorded {
  binds: Array<[string, string]>;
  events: string[];
  unschedulable: string[];
  release: Array<() => void>;
}

function fakeIO(opts: { holdBinds?: boolean; failBind?: boolean } = {}): SchedulerIO & { rec: Recorded } {
  const rec: Recorded = { binds: [], events: [], unschedulable: [], release: [] };
  return {
    rec,
    bind(pod: Pod, node: string) {
      rec.binds.push([pod.metadata.name!, node]);
      if (opts.failBind) return Promise.reject(new Error('conflict'));
      if (!opts.holdBinds) return Promise.resolve();
      return new Promise<void>((r) => rec.release.push(r));
    },
    markUnschedulable(pod, message) {
      rec.unschedulable.push(`${pod.metadata.name}: ${message}`);
      return Promise.resolve();
    },
    event(_pod, type, reason, message) {
      rec.events.push(`${type} ${reason} ${message}`);
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

test('schedules pending pods, emits Scheduled, and ignores other schedulers and bound pods', async () => {
  const io = fakeIO();
  const s = new Scheduler({
    io,
    clock: new FakeClock(),
    profile: defaultProfile({ random: seededRandom(1) }),
    housekeepingIntervalMs: 0,
  });
  s.onNodeAdd(makeNode('n1'));
  s.onPodAdd(makePod('p1', { cpu: '1' }));
  s.onPodAdd(makePod('other', { schedulerName: 'my-scheduler' }));
  s.onPodAdd(makePod('bound', { nodeName: 'n1', cpu: '1' }));
  while (s.scheduleOne());
  await settle();
  assert.deepEqual(io.rec.binds, [['p1', 'n1']]);
  assert.deepEqual(io.rec.events, ['Normal Scheduled Successfully assigned default/p1 to n1']);
  assert.equal(s.cache.snapshot().get('n1')!.requested.milliCpu, 2000);
});

test('binds run in parallel and assumed pods count for the next decision', async () => {
  const io = fakeIO({ holdBinds: true });
  const s = new Scheduler({ io, clock: new FakeClock(), housekeepingIntervalMs: 0 });
  s.onNodeAdd(makeNode('n1', { cpu: '2' }));
  s.onNodeAdd(makeNode('n2', { cpu: '2' }));
  for (const n of ['a', 'b', 'c']) s.onPodAdd(makePod(n, { cpu: '1500m' }));
  while (s.scheduleOne());
  assert.equal(io.rec.binds.length, 2, 'two binds in flight before any returned');
  assert.notEqual(io.rec.binds[0]![1], io.rec.binds[1]![1]);
  assert.equal(io.rec.events.length, 1);
  assert.match(io.rec.events[0]!, /^Warning FailedScheduling 0\/2 nodes are available: 2 Insufficient cpu\./);
  assert.equal(s.queue.lengths.unschedulable, 1);
  for (const r of io.rec.release) r();
  await settle();
  assert.equal(io.rec.events.filter((e) => e.startsWith('Normal Scheduled')).length, 2);
});

test('a failed bind forgets the assumed pod and retries after backoff', async () => {
  const io = fakeIO({ failBind: true });
  const clock = new FakeClock(0);
  const s = new Scheduler({ io, clock, housekeepingIntervalMs: 0 });
  s.onNodeAdd(makeNode('n1'));
  s.onPodAdd(makePod('p', { cpu: '1' }));
  s.scheduleOne();
  await settle();
  assert.equal(s.cache.snapshot().get('n1')!.pods.length, 0);
  assert.match(io.rec.events[0]!, /^Warning FailedScheduling Binding rejected: conflict/);
  assert.equal(s.queue.lengths.backoff, 1);
  clock.advance(1000);
  s.housekeeping();
  assert.equal(s.queue.lengths.active, 1);
});

test('the loop runs until stopped and a node add wakes parked pods', async () => {
  const io = fakeIO();
  const s = new Scheduler({ io, housekeepingIntervalMs: 0 });
  s.start();
  s.onPodAdd(makePod('p', { cpu: '1' }));
  await settle();
  assert.equal(io.rec.unschedulable.length, 1);
  assert.match(io.rec.unschedulable[0]!, /no nodes available to schedule pods/);
  const parked = s.queue.lengths;
  assert.equal(parked.unschedulable + parked.backoff, 1);
  await s.stop();
});

test('a pod waiting on its claim is retried when the claim and its volume change', async () => {
  const io = fakeIO();
  const clock = new FakeClock();
  const s = new Scheduler({ io, clock, housekeepingIntervalMs: 0 });
  s.onNodeAdd(makeNode('n1'));
  s.onNodeAdd(makeNode('n2'));
  s.onClassAdd({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: 'example.com/fast',
    volumeBindingMode: 'Immediate',
  });
  const claim: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default' },
    spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
  s.onClaimAdd(claim);
  s.onPodAdd(makePod('p', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }));
  s.scheduleOne();
  assert.match(
    io.rec.unschedulable[0]!,
    /^p: 0\/2 nodes are available: pod has unbound immediate PersistentVolumeClaims\./,
  );
  assert.equal(s.queue.lengths.unschedulable, 1);
  // The PV controller binds it to a volume pinned to n2.
  s.onVolumeAdd({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv1' },
    spec: {
      storageClassName: 'fast',
      capacity: { storage: '1Gi' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n2'] }] },
          ],
        },
      },
    },
  });
  s.onClaimUpdate({
    ...claim,
    metadata: { ...claim.metadata, annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } },
    spec: { ...claim.spec, volumeName: 'pv1' },
  });
  assert.equal(s.queue.lengths.unschedulable, 0);
  // Back from parking, it waits out its backoff (1s after one failure).
  clock.advance(1000);
  s.housekeeping();
  assert.ok(s.scheduleOne());
  await settle();
  assert.deepEqual(io.rec.binds, [['p', 'n2']]);
});

test('the volume chosen for a pod is assumed taken while it binds, and given back if the bind fails', async () => {
  for (const failBind of [false, true]) {
    const io = fakeIO({ failBind });
    const s = new Scheduler({ io, clock: new FakeClock(), housekeepingIntervalMs: 0 });
    s.onNodeAdd(makeNode('n1'));
    s.onClassAdd({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'local' },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    s.onVolumeAdd({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'disk', resourceVersion: '1' },
      spec: { storageClassName: 'local', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
      status: { phase: 'Available' },
    });
    s.onClaimAdd({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'default', uid: 'c-1', resourceVersion: '1' },
      spec: { storageClassName: 'local', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    s.onPodAdd(makePod('p', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] }));
    s.scheduleOne();
    assert.equal(s.volumes.volume('disk')?.spec?.claimRef?.uid, 'c-1');
    await settle();
    assert.deepEqual(io.rec.binds, [['p', 'n1']]);
    assert.equal(s.volumes.volume('disk')?.spec?.claimRef?.uid, failBind ? undefined : 'c-1', `failBind=${failBind}`);
  }
});
