import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SandboxConfig } from '../runtime.js';
import {
  containerConfigToWire,
  containerStatusFromWire,
  cpuToCgroup,
  nanosToDate,
  sandboxConfigToWire,
  sandboxStatusFromWire,
} from './convert.js';

const sandbox: SandboxConfig = {
  metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 2 },
  logDirectory: '/var/log/pods/default_web_u1',
  labels: { app: 'web' },
  cgroupParent: '/tutti/podu1',
  portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }],
};

test('cpu limits become CFS quota over a 100 ms period and requests become shares', () => {
  assert.deepEqual(cpuToCgroup(500, 250), { quota: 50_000, shares: 256 });
  assert.deepEqual(cpuToCgroup(2000), { quota: 200_000, shares: 2048 });
  assert.deepEqual(cpuToCgroup(undefined, 100), { quota: 0, shares: 102 });
  assert.deepEqual(cpuToCgroup(), { quota: 0, shares: 2 });
  assert.deepEqual(cpuToCgroup(1, 1), { quota: 1000, shares: 2 }); // kernel minimums
});

test('sandbox config maps to CRI with pod network and cgroup parent', () => {
  const w = sandboxConfigToWire(sandbox);
  assert.deepEqual(w.metadata, { name: 'web', uid: 'u1', namespace: 'default', attempt: 2 });
  assert.equal(w.linux.cgroup_parent, '/tutti/podu1');
  assert.equal(w.linux.security_context.namespace_options.network, 'POD');
  assert.deepEqual(w.port_mappings, [{ protocol: 'TCP', container_port: 80, host_port: 8080, host_ip: '' }]);
  assert.equal(
    sandboxConfigToWire({ ...sandbox, hostNetwork: true }).linux.security_context.namespace_options.network,
    'NODE',
  );
});

test('container config carries command, env, mounts and limits', () => {
  const w = containerConfigToWire(
    {
      name: 'c',
      attempt: 1,
      image: 'busybox',
      command: ['sh'],
      args: ['-c', 'true'],
      env: { A: '1', B: '2' },
      mounts: [{ containerPath: '/data', hostPath: '/srv/data', readonly: true, propagation: 'host-to-container' }],
      resources: { cpuLimitMillis: 250, memoryLimitBytes: 1 << 20 },
      logPath: 'c/1.log',
      runAsUser: 1000,
    },
    sandbox,
  );
  assert.deepEqual(w.envs, [
    { key: 'A', value: '1' },
    { key: 'B', value: '2' },
  ]);
  assert.deepEqual(w.mounts, [
    { container_path: '/data', host_path: '/srv/data', readonly: true, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
  ]);
  assert.deepEqual(w.linux.resources, {
    cpu_period: '100000',
    cpu_quota: '25000',
    cpu_shares: '256',
    memory_limit_in_bytes: '1048576',
  });
  assert.deepEqual(w.linux.security_context.run_as_user, { value: '1000' });
  assert.equal(w.linux.security_context.run_as_group, undefined);
  assert.equal(w.log_path, 'c/1.log');
});

test('nanosecond timestamps become Dates and zero means unset', () => {
  assert.equal(nanosToDate('0'), undefined);
  assert.equal(nanosToDate(''), undefined);
  assert.equal(nanosToDate('1700000000123456789')?.toISOString(), '2023-11-14T22:13:20.123Z');
});

test('container status and sandbox status decode from proto-loader output', () => {
  const s = containerStatusFromWire({
    id: 'c1',
    metadata: { name: 'hog', attempt: 0 },
    state: 'CONTAINER_EXITED',
    created_at: '1700000000000000000',
    started_at: '1700000001000000000',
    finished_at: '1700000002000000000',
    exit_code: 137,
    image: { image: 'busybox' },
    image_ref: 'sha256:abc',
    reason: 'OOMKilled',
    message: '',
    labels: {},
    annotations: {},
    log_path: '/logs/hog/0.log',
  });
  assert.equal(s.state, 'exited');
  assert.equal(s.reason, 'OOMKilled');
  assert.equal(s.finishedAt?.getTime(), 1_700_000_002_000);
  const sb = sandboxStatusFromWire({
    id: 's1',
    metadata: null,
    state: 'SANDBOX_NOTREADY',
    created_at: '0',
    labels: {},
    annotations: {},
    network: { ip: '10.42.0.5', additional_ips: [{ ip: 'fd00::5' }] },
  });
  assert.equal(sb.state, 'notready');
  assert.equal(sb.ip, '10.42.0.5');
  assert.deepEqual(sb.additionalIps, ['fd00::5']);
  assert.equal(sb.metadata.name, '');
});
