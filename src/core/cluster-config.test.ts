import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterConfigFrom, clusterConfigMap, mergeClusterConfig } from './cluster-config.js';

describe('cluster settings shared by server and nodes', () => {
  it('round-trips through the ConfigMap, keeping only the known, non-empty keys', () => {
    const cm = clusterConfigMap({ 'service-cidr': '10.99.0.0/16', 'cluster-domain': 'corp.local' });
    assert.equal(cm.metadata.namespace, 'kube-system');
    assert.equal(cm.metadata.name, 'tutti-config');
    assert.deepEqual(cm.data, { 'service-cidr': '10.99.0.0/16', 'cluster-domain': 'corp.local' });
    assert.deepEqual(clusterConfigFrom({ data: { ...cm.data, 'cluster-cidr': ' ', 'something-else': 'x' } }), {
      'service-cidr': '10.99.0.0/16',
      'cluster-domain': 'corp.local',
    });
    assert.deepEqual(clusterConfigFrom(undefined), {});
  });

  it("fills what the agent's flags leave unset; a differing flag wins and is reported", () => {
    const server = { 'service-cidr': '10.99.0.0/16', 'cluster-cidr': '10.98.0.0/16', 'cluster-dns': '10.99.0.10' };
    assert.deepEqual(mergeClusterConfig(server, {}), { config: server, conflicts: [] });
    const { config, conflicts } = mergeClusterConfig(server, {
      'cluster-cidr': '10.98.0.0/16',
      'cluster-dns': '10.99.0.53',
      'cluster-domain': 'corp.local',
    });
    assert.deepEqual(config, {
      'service-cidr': '10.99.0.0/16',
      'cluster-cidr': '10.98.0.0/16',
      'cluster-dns': '10.99.0.53',
      'cluster-domain': 'corp.local',
    });
    assert.deepEqual(conflicts, [{ key: 'cluster-dns', server: '10.99.0.10', flag: '10.99.0.53' }]);
  });
});
