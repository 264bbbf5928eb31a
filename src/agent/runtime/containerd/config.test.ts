import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cniConflist, containerdConfigToml, containerdLayout, insecureRegistryHostsToml } from './config.js';

const layout = containerdLayout('/var/lib/tutti/agent/containerd');

test('containerd config is private to the data dir and carries the settings this VM needs', () => {
  const toml = containerdConfigToml(layout, {
    sandboxImage: 'localhost/tutti/pause:1.0',
    cniBinDir: '/usr/lib/cni',
    snapshotter: 'overlayfs',
  });
  assert.match(toml, /^version = 2$/m);
  assert.match(toml, /^root = "\/var\/lib\/tutti\/agent\/containerd\/root"$/m);
  assert.match(toml, /^state = "\/var\/lib\/tutti\/agent\/containerd\/state"$/m);
  assert.match(toml, /\[grpc\]\n {2}address = "\/var\/lib\/tutti\/agent\/containerd\/containerd.sock"/);
  assert.match(toml, /\[ttrpc\]\n {2}address = "\/var\/lib\/tutti\/agent\/containerd\/containerd.sock.ttrpc"/);
  for (const line of [
    'restrict_oom_score_adj = true',
    'disable_apparmor = true',
    'tolerate_missing_hugetlb_controller = true',
    'disable_hugetlb_controller = true',
    'runtime_type = "io.containerd.runc.v2"',
    'SystemdCgroup = false',
    'sandbox_image = "localhost/tutti/pause:1.0"',
    'stream_server_address = "127.0.0.1"',
    'stream_server_port = "0"',
    'bin_dir = "/usr/lib/cni"',
    'conf_dir = "/var/lib/tutti/agent/containerd/cni/net.d"',
    'config_path = "/var/lib/tutti/agent/containerd/certs.d"',
  ]) {
    assert.ok(toml.includes(`  ${line}\n`), line);
  }
});

test('CNI conflist is a hairpin bridge with host-local IPAM over the pod CIDR', () => {
  const conf = JSON.parse(
    cniConflist(layout, { podCidr: '10.42.3.0/24', bridgeName: 'cni0', networkName: 'tutti', ipMasq: true }),
  );
  assert.equal(conf.name, 'tutti');
  const [bridge, portmap] = conf.plugins;
  assert.deepEqual(
    {
      type: bridge.type,
      bridge: bridge.bridge,
      isGateway: bridge.isGateway,
      ipMasq: bridge.ipMasq,
      hairpin: bridge.hairpinMode,
    },
    { type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: true, hairpin: true },
  );
  assert.deepEqual(bridge.ipam.ranges, [[{ subnet: '10.42.3.0/24' }]]);
  assert.equal(bridge.ipam.dataDir, '/var/lib/tutti/agent/containerd/cni/ipam');
  assert.equal(portmap.type, 'portmap');
});

test('CNI conflist leaves masquerading to the pod network when asked (pod-to-pod keeps its source)', () => {
  const off = JSON.parse(
    cniConflist(layout, { podCidr: '10.42.3.0/24', bridgeName: 'cni0', networkName: 'tutti', ipMasq: false }),
  );
  assert.equal(off.plugins[0].ipMasq, false);
  assert.equal(off.plugins[0].isGateway, true);
});

test('insecure registry hosts.toml points at plain HTTP', () => {
  const hosts = insecureRegistryHostsToml('localhost:5000');
  assert.match(hosts, /^server = "http:\/\/localhost:5000"$/m);
  assert.match(hosts, /^\[host\."http:\/\/localhost:5000"\]$/m);
});
