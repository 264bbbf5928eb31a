import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EMPTY_OBSERVED } from './observed.js';
import { type PlanInput, planPodSync } from './sync-plan.js';
import { observedContainer, testPod, withSandbox } from './testing.js';

const noBackoff = () => 0;
const none = new Map<string, string>();

function plan(p: Omit<PlanInput, 'backoffRemaining' | 'unhealthy'> & Partial<PlanInput>) {
  return planPodSync({ backoffRemaining: noBackoff, unhealthy: none, ...p });
}

describe('planPodSync', () => {
  test('a new pod gets a sandbox and its first init container, or all containers', () => {
    const pod = testPod([{ name: 'a' }, { name: 'b' }]);
    const p = plan({ pod, observed: EMPTY_OBSERVED });
    assert.equal(p.createSandbox, true);
    assert.deepEqual(
      p.start.map((s) => s.name),
      ['a', 'b'],
    );
    const withInit = testPod([{ name: 'a' }], { initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    assert.deepEqual(plan({ pod: withInit, observed: EMPTY_OBSERVED }).start, [
      { name: 'i1', kind: 'init', restartCount: 0 },
    ]);
  });

  test('init containers run in order, then the regular ones', () => {
    const pod = testPod([{ name: 'a' }], { initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    const i1 = observedContainer(pod, 'i1', { state: 'exited' }, 'init');
    assert.deepEqual(
      plan({ pod, observed: withSandbox([i1]) }).start.map((s) => s.name),
      ['i2'],
    );
    const i2running = observedContainer(pod, 'i2', { state: 'running' }, 'init');
    assert.deepEqual(plan({ pod, observed: withSandbox([i1, i2running]) }).start, []);
    const i2 = observedContainer(pod, 'i2', { state: 'exited' }, 'init');
    assert.deepEqual(plan({ pod, observed: withSandbox([i1, i2]) }).start, [
      { name: 'a', kind: 'regular', restartCount: 0 },
    ]);
  });

  test('a running container whose spec is unchanged is left alone (adoption)', () => {
    const pod = testPod([{ name: 'a' }]);
    const p = plan({ pod, observed: withSandbox([observedContainer(pod, 'a', { state: 'running' })]) });
    assert.equal(p.createSandbox, false);
    assert.deepEqual([p.start, p.killContainers, p.removeContainers], [[], [], []]);
  });

  test('restart policy decides what happens to an exited container', () => {
    for (const [policy, exitCode, restarts] of [
      ['Always', 0, true],
      ['Always', 1, true],
      ['OnFailure', 0, false],
      ['OnFailure', 2, true],
      ['Never', 1, false],
    ] as const) {
      const pod = testPod([{ name: 'a' }], { restartPolicy: policy });
      const c = observedContainer(pod, 'a', { state: 'exited', exitCode, restartCount: 3 });
      const p = plan({ pod, observed: withSandbox([c]) });
      assert.deepEqual(
        p.start,
        restarts ? [{ name: 'a', kind: 'regular', restartCount: 4 }] : [],
        `${policy} exit ${exitCode}`,
      );
    }
  });

  test('a container in back-off waits instead of starting', () => {
    const pod = testPod([{ name: 'a' }]);
    const c = observedContainer(pod, 'a', { state: 'exited', exitCode: 1 });
    const p = plan({ pod, observed: withSandbox([c]), backoffRemaining: () => 5000 });
    assert.deepEqual(p.start, []);
    assert.deepEqual(p.backoff, [{ name: 'a', kind: 'regular', waitMs: 5000 }]);
  });

  test('liveness failure and spec change kill the running container', () => {
    const pod = testPod([{ name: 'a' }, { name: 'b' }]);
    const a = observedContainer(pod, 'a', { state: 'running' });
    const b = observedContainer(pod, 'b', { state: 'running', specHash: 'old' });
    const p = plan({ pod, observed: withSandbox([a, b]), unhealthy: new Map([[a.id, 'Liveness probe failed']]) });
    assert.deepEqual(
      p.killContainers.map((k) => [k.name, k.message]),
      [
        ['a', 'Liveness probe failed'],
        ['b', 'container spec changed, will be restarted'],
      ],
    );
  });

  test('a dead sandbox is replaced and its containers killed; restart counts continue', () => {
    const pod = testPod([{ name: 'a' }]);
    const c = observedContainer(pod, 'a', { state: 'running', restartCount: 2 });
    const observed = withSandbox([c]);
    observed.sandboxes[0]!.state = 'notready';
    const p = plan({ pod, observed });
    assert.equal(p.createSandbox, true);
    assert.equal(p.sandboxAttempt, 1);
    assert.deepEqual(p.removeSandboxes, ['sb1']);
    assert.deepEqual(
      p.killContainers.map((k) => k.id),
      [c.id],
    );
    assert.deepEqual(p.start, [{ name: 'a', kind: 'regular', restartCount: 3 }]);
  });

  test('a Never pod whose containers exited is finished and its sandbox stopped', () => {
    const pod = testPod([{ name: 'a' }, { name: 'b' }], { restartPolicy: 'Never' });
    const a = observedContainer(pod, 'a', { state: 'exited', exitCode: 0 });
    const b = observedContainer(pod, 'b', { state: 'exited', exitCode: 3 });
    const p = plan({ pod, observed: withSandbox([a, b]) });
    assert.equal(p.finished, 'Failed');
    assert.equal(p.stopSandbox, 'sb1');
    assert.deepEqual(p.start, []);
    const ok = plan({ pod, observed: withSandbox([a, { ...b, exitCode: 0 }]) });
    assert.equal(ok.finished, 'Succeeded');
  });

  test('old runs beyond the last two and unknown containers are removed', () => {
    const pod = testPod([{ name: 'a' }]);
    const runs = [0, 1, 2, 3].map((n) =>
      observedContainer(pod, 'a', { state: n === 3 ? 'running' : 'exited', restartCount: n, createdAt: n }),
    );
    const stray = observedContainer(pod, 'gone', { state: 'running' });
    const p = plan({ pod, observed: withSandbox([...runs, stray]) });
    assert.deepEqual(p.removeContainers.sort(), ['a-0', 'a-1', 'gone-0']);
    assert.deepEqual(
      p.killContainers.map((k) => k.id),
      ['gone-0'],
    );
  });
});
