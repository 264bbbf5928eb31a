import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { podTable } from './pods.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const created = '2024-05-01T11:55:00Z';

function pod(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  meta: Partial<KubeObject['metadata']> = {},
): KubeObject {
  return { metadata: { name: 'p', creationTimestamp: created, ...meta }, spec, status };
}
const row = (p: KubeObject) => podTable.row(p, now);
const one = { containers: [{ name: 'c', image: 'nginx' }] };

describe('podTable', () => {
  it('has upstream columns, wide ones at priority 1', () => {
    assert.deepEqual(
      podTable.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Ready', 0],
        ['Status', 0],
        ['Restarts', 0],
        ['Age', 0],
        ['IP', 1],
        ['Node', 1],
        ['Nominated Node', 1],
        ['Readiness Gates', 1],
      ],
    );
    assert.equal(podTable.columns[0]!.format, 'name');
  });

  it('prints a running pod', () => {
    const p = pod(
      { ...one, nodeName: 'n1' },
      {
        phase: 'Running',
        podIPs: [{ ip: '10.42.0.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }],
      },
    );
    assert.deepEqual(row(p), ['p', '1/1', 'Running', '0', '5m', '10.42.0.5', 'n1', '<none>', '<none>']);
  });

  it('prints a pending unscheduled pod', () => {
    assert.deepEqual(row(pod(one, { phase: 'Pending' })), [
      'p',
      '0/1',
      'Pending',
      '0',
      '5m',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });

  it('shows init progress and init failures', () => {
    const spec = { ...one, initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    const running = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'i2', state: { running: {} } },
      ],
      containerStatuses: [{ name: 'c', state: { waiting: { reason: 'PodInitializing' } } }],
    });
    assert.equal(row(running)[2], 'Init:1/2');
    const first = pod(
      { ...one, initContainers: [{ name: 'i1' }] },
      {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }],
      },
    );
    assert.equal(row(first)[2], 'Init:0/1');
    const crash = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'i1', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    });
    assert.equal(row(crash)[2], 'Init:CrashLoopBackOff');
    assert.equal(row(crash)[3], '4', 'init restarts count while initializing');
    const failed = pod(spec, {
      phase: 'Failed',
      initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }],
    });
    assert.equal(row(failed)[2], 'Init:ExitCode:2');
    const signalled = pod(spec, {
      phase: 'Failed',
      initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 137, signal: 9 } } }],
    });
    assert.equal(row(signalled)[2], 'Init:Signal:9');
  });

  it('shows waiting reasons and restarts with their age', () => {
    const p = pod(one, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:58:00Z' } },
        },
      ],
    });
    const r = row(p);
    assert.equal(r[1], '0/1');
    assert.equal(r[2], 'CrashLoopBackOff');
    assert.equal(r[3], '3 (2m ago)');
    const pulling = pod(one, {
      phase: 'Pending',
      containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }],
    });
    assert.equal(row(pulling)[2], 'ErrImagePull');
  });

  it('shows Completed, Terminating and Unknown', () => {
    const done = pod(one, {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    assert.deepEqual(row(done).slice(1, 3), ['0/1', 'Completed']);
    const oom = pod(one, {
      phase: 'Failed',
      containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
    });
    assert.equal(row(oom)[2], 'OOMKilled');
    const deleting = pod(
      one,
      { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }] },
      { deletionTimestamp: '2024-05-01T11:59:00Z' },
    );
    assert.equal(row(deleting)[2], 'Terminating');
    const deletedDone = pod(one, { phase: 'Succeeded' }, { deletionTimestamp: '2024-05-01T11:59:00Z' });
    assert.equal(row(deletedDone)[2], 'Succeeded');
    const lost = pod(one, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: '2024-05-01T11:59:00Z' });
    assert.equal(row(lost)[2], 'Unknown');
  });

  it('goes back to Running or NotReady when a container still runs after another completed', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const statuses = [
      { name: 'a', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'b', ready: true, state: { running: {} } },
    ];
    assert.equal(row(pod(spec, { phase: 'Running', containerStatuses: statuses }))[2], 'NotReady');
    assert.equal(
      row(
        pod(spec, { phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] }),
      )[2],
      'Running',
    );
  });

  it('counts started sidecars as ready containers', () => {
    const spec = { ...one, initContainers: [{ name: 'side', restartPolicy: 'Always' }] };
    const p = pod(spec, {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'side', started: true, ready: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }],
    });
    const r = row(p);
    assert.equal(r[1], '2/2');
    assert.equal(r[2], 'Running');
    assert.equal(r[3], '1');
  });

  it('reports SchedulingGated, nominated node and readiness gates', () => {
    const p = pod(
      { ...one, readinessGates: [{ conditionType: 'example.com/ready' }, { conditionType: 'other' }] },
      {
        phase: 'Pending',
        nominatedNodeName: 'n2',
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' },
          { type: 'example.com/ready', status: 'True' },
        ],
      },
    );
    const r = row(p);
    assert.equal(r[2], 'SchedulingGated');
    assert.equal(r[7], 'n2');
    assert.equal(r[8], '1/2');
  });
});
