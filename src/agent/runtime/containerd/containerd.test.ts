import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerdLayout } from './config.js';
import { isContainerdOf } from './containerd.js';
import { pidAlive, processArgv, processStartTicks } from './processes.js';

test('a containerd is ours when it runs on our config file', () => {
  const layout = containerdLayout('/srv/a/agent/containerd');
  assert.equal(isContainerdOf(layout, ['containerd', '--config', '/srv/a/agent/containerd/config.toml']), true);
  assert.equal(isContainerdOf(layout, ['/usr/bin/containerd', '--config=/srv/a/agent/containerd/config.toml']), true);
  assert.equal(isContainerdOf(layout, ['containerd', '--config', '/srv/b/agent/containerd/config.toml']), false);
  assert.equal(isContainerdOf(layout, ['containerd-shim-runc-v2', '-address', layout.socket]), false);
});

test('this process is alive, with an argv and a start time; pid 0 and a negative pid are not processes', () => {
  assert.equal(pidAlive(process.pid), true);
  assert.equal(pidAlive(0), false);
  assert.equal(pidAlive(-5), false);
  if (process.platform === 'linux') {
    assert.ok(processArgv(process.pid)?.[0]?.includes('node'));
    assert.ok((processStartTicks(process.pid) ?? -1) > 0);
  }
});
