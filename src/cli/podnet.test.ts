import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from './flags.js';
import { PODNET_FLAGS, podNetConfig, startAgentPodNetwork } from './podnet.js';

const parse = (argv: string[]) => podNetConfig(parseFlags(argv, PODNET_FLAGS), '10.42.0.0/16', '10.43.0.0/16');

describe('tutti pod network flags', () => {
  it('defaults: auto backend, policy on', () => {
    assert.deepEqual(parse([]), {
      backend: 'auto',
      disablePolicy: false,
      clusterCidr: '10.42.0.0/16',
      serviceCidr: '10.43.0.0/16',
    });
  });
  it('k3s names: --flannel-backend host-gw|vxlan|none, --disable-network-policy', () => {
    assert.equal(parse(['--flannel-backend=host-gw']).backend, 'host-gw');
    assert.equal(parse(['--flannel-backend', 'vxlan']).backend, 'vxlan');
    assert.equal(parse(['--flannel-backend=none']).backend, 'none');
    assert.equal(parse(['--disable-network-policy']).disablePolicy, true);
    assert.throws(() => parse(['--flannel-backend=wireguard']), /must be auto, host-gw, vxlan or none/);
  });
  it('a node without a pod CIDR (process runtime) gets neither, and touches nothing', async () => {
    const r = await startAgentPodNetwork(
      { nodeName: 'n', podCidr: '' },
      {
        client: () => {
          throw new Error('no API client without a pod CIDR');
        },
      },
      parse([]),
    );
    await r.stop();
  });
});
