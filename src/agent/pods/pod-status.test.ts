import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EMPTY_OBSERVED } from './observed.js';
import { computePodStatus, type StatusInput } from './pod-status.js';
import { observedContainer, testPod, withSandbox } from './testing.js';

const NOW = Date.parse('2025-01-02T03:04:05Z');

function status(
  p: Omit<StatusInput, 'now' | 'hostIP' | 'runtimeName' | 'waiting' | 'readiness' | 'started'> & Partial<StatusInput>,
) {
  return computePodStatus({
    now: NOW,
    hostIP: '192.168.1.10',
    runtimeName: 'containerd',
    waiting: new Map(),
    readiness: new Map(),
    started: new Map(),
    ...p,
  });
}

const cond = (s: ReturnType<typeof status>, type: string) => s.conditions!.find((c) => c.type === type)!;

describe('computePodStatus', () => {
  test('a pod not yet started is Pending with ContainerCreating', () => {
    const s = status({ pod: testPod([{ name: 'a' }]), observed: EMPTY_OBSERVED });
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(cond(s, 'Ready').status, 'False');
    assert.equal(cond(s, 'PodScheduled').status, 'True');
    assert.equal(s.podIP, undefined);
    assert.equal(s.startTime, '2025-01-02T03:04:05Z');
  });

  test('running containers: Running, IPs, ids, and readiness gated by the probe', () => {
    const pod = testPod([{ name: 'a' }, { name: 'b', readinessProbe: { exec: { command: ['true'] } } }]);
    const a = observedContainer(pod, 'a', { state: 'running', startedAt: NOW - 5000 });
    const b = observedContainer(pod, 'b', { state: 'running' });
    const s = status({ pod, observed: withSandbox([a, b]) });
    assert.equal(s.phase, 'Running');
    assert.equal(s.podIP, '10.0.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.0.0.5' }]);
    assert.equal(s.hostIP, '192.168.1.10');
    const [sa, sb] = s.containerStatuses!;
    assert.deepEqual(sa!.state, { running: { startedAt: '2025-01-02T03:04:00Z' } });
    assert.equal(sa!.containerID, 'containerd://a-0');
    assert.equal(sa!.ready, true);
    assert.equal(sb!.ready, false);
    assert.equal(cond(s, 'Ready').message, 'containers with unready status: [b]');
    const ready = status({ pod, observed: withSandbox([a, b]), readiness: new Map([[b.id, true]]) });
    assert.equal(cond(ready, 'Ready').status, 'True');
    assert.equal(cond(ready, 'ContainersReady').status, 'True');
  });

  test('lastTransitionTime is kept while a condition does not change', () => {
    const pod = testPod([{ name: 'a' }]);
    const a = observedContainer(pod, 'a', { state: 'running' });
    const first = status({ pod, observed: withSandbox([a]) });
    pod.status = first;
    const later = status({ pod, observed: withSandbox([a]), now: NOW + 60_000 });
    assert.equal(cond(later, 'Ready').lastTransitionTime, '2025-01-02T03:04:05Z');
    assert.equal(later.startTime, first.startTime);
    const notReady = status({
      pod,
      observed: withSandbox([{ ...a, state: 'exited', exitCode: 1 }]),
      now: NOW + 60_000,
    });
    assert.equal(cond(notReady, 'Ready').lastTransitionTime, '2025-01-02T03:05:05Z');
  });

  test('a crash-looping container shows the back-off reason, lastState and restartCount; phase stays Running', () => {
    const pod = testPod([{ name: 'a' }]);
    const prev = observedContainer(pod, 'a', { state: 'exited', exitCode: 1, restartCount: 2, finishedAt: NOW - 1000 });
    const s = status({
      pod,
      observed: withSandbox([prev]),
      waiting: new Map([['regular/a', { reason: 'CrashLoopBackOff', message: 'back-off 20s' }]]),
    });
    const cs = s.containerStatuses![0]!;
    assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s' } });
    assert.equal(cs.lastState!.terminated?.exitCode, 1);
    assert.equal(cs.lastState!.terminated?.reason, 'Error');
    assert.equal(cs.restartCount, 2);
    assert.equal(s.phase, 'Running');
  });

  test('OOMKilled is reported as the runtime gave it; a Never pod that failed is Failed', () => {
    const pod = testPod([{ name: 'a' }], { restartPolicy: 'Never' });
    const c = observedContainer(pod, 'a', { state: 'exited', exitCode: 137, reason: 'OOMKilled' });
    const s = status({ pod, observed: withSandbox([c]) });
    assert.equal(s.phase, 'Failed');
    assert.equal(s.containerStatuses![0]!.state!.terminated?.reason, 'OOMKilled');
    assert.equal(cond(s, 'Ready').reason, 'PodCompleted');
  });

  test('init containers: Pending and not Initialized until they succeed', () => {
    const pod = testPod([{ name: 'a' }], { initContainers: [{ name: 'i' }] });
    const i = observedContainer(pod, 'i', { state: 'running' }, 'init');
    const s = status({ pod, observed: withSandbox([i]) });
    assert.equal(s.phase, 'Pending');
    assert.equal(cond(s, 'Initialized').status, 'False');
    assert.equal(cond(s, 'Initialized').message, 'containers with incomplete status: [i]');
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'PodInitializing' } });
    const done = status({ pod, observed: withSandbox([{ ...i, state: 'exited', exitCode: 0 }]) });
    assert.equal(cond(done, 'Initialized').status, 'True');
    assert.equal(done.initContainerStatuses![0]!.state!.terminated?.reason, 'Completed');
    assert.equal(done.initContainerStatuses![0]!.ready, true);
  });

  test('image pull failures surface as the waiting reason', () => {
    const pod = testPod([{ name: 'a', image: 'nope:1' }]);
    const s = status({
      pod,
      observed: withSandbox([]),
      waiting: new Map([['regular/a', { reason: 'ErrImagePull', message: 'not found' }]]),
    });
    assert.deepEqual(s.containerStatuses![0]!.state!.waiting, { reason: 'ErrImagePull', message: 'not found' });
    assert.equal(s.containerStatuses![0]!.image, 'nope:1');
    assert.equal(s.phase, 'Pending');
  });
});
