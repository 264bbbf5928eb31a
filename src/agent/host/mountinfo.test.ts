import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountsUnder, parseMountinfo } from './mountinfo.js';

const INFO = `27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
46 27 0:4 net:[4026532178] /run/netns/cni-5c22 rw - nsfs nsfs rw
80 27 0:50 / /srv/my\\040dir/agent/containerd/state/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - overlay overlay rw
81 27 0:51 / /srv/my\\040dir/agent/containerd/state/io.containerd.grpc.v1.cri/sandboxes/abc/shm rw - tmpfs shm rw
82 27 0:52 / /srv/my\\040dir/agent-other/x rw - tmpfs tmpfs rw
`;

test('mountinfo paths are unescaped and filtered by directory, deepest first', () => {
  const entries = parseMountinfo(INFO);
  assert.equal(entries.length, 5);
  assert.equal(entries[1]!.fsType, 'nsfs');
  const under = mountsUnder(entries, ['/srv/my dir/agent', '/run/netns/cni-5c22']);
  assert.deepEqual(under, [
    '/srv/my dir/agent/containerd/state/io.containerd.runtime.v2.task/k8s.io/abc/rootfs',
    '/srv/my dir/agent/containerd/state/io.containerd.grpc.v1.cri/sandboxes/abc/shm',
    '/run/netns/cni-5c22',
  ]);
});
