import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureFacts } from './fixture-facts.js';
import { fallbackPodCidr, goArch, KUBELET_VERSION, nodeObject, nodeStatus } from './node-object.js';

const facts = fixtureFacts({ hostIP: '192.168.1.10' });

test('the registered node carries capacity, addresses, info and four conditions', () => {
  const n = nodeObject(facts, Date.parse('2025-01-01T00:00:00Z'));
  assert.deepEqual(n.status!.capacity, {
    cpu: '2',
    memory: '4194304Ki',
    pods: '110',
    'ephemeral-storage': '10485760Ki',
  });
  assert.deepEqual(n.status!.allocatable, n.status!.capacity);
  assert.deepEqual(n.status!.addresses, [
    { type: 'InternalIP', address: '192.168.1.10' },
    { type: 'Hostname', address: 'host1' },
  ]);
  assert.equal(n.status!.nodeInfo!.kubeletVersion, KUBELET_VERSION);
  assert.deepEqual(
    n.status!.conditions!.map((c) => [c.type, c.status, c.reason]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ],
  );
  assert.equal(n.metadata.labels!['kubernetes.io/hostname'], 'n1');
});

test('heartbeats move; transition times only move on change', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const s0 = nodeStatus(facts, t0);
  const s1 = nodeStatus(facts, t0 + 10_000, s0);
  const ready1 = s1.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready1.lastHeartbeatTime, '2025-01-01T00:00:10Z');
  assert.equal(ready1.lastTransitionTime, '2025-01-01T00:00:00Z');
  const s2 = nodeStatus({ ...facts, ready: false, notReadyMessage: 'network not ready' }, t0 + 20_000, s1);
  const ready2 = s2.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual(
    [ready2.status, ready2.lastTransitionTime, ready2.message],
    ['False', '2025-01-01T00:00:20Z', 'network not ready'],
  );
});

test('arch names and fallback CIDRs', () => {
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(fallbackPodCidr(0), '10.42.0.0/24');
  assert.equal(fallbackPodCidr(3), '10.42.3.0/24');
});
