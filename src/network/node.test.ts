import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultClusterDns, kubeDnsService, kubeDnsSlice } from './node.js';

describe('kube-dns objects', () => {
  it('the Service: selector-less, ports dns/dns-tcp at the cluster DNS IP', () => {
    const s = kubeDnsService(defaultClusterDns('10.43.0.0/16'));
    assert.equal(s.spec?.clusterIP, '10.43.0.10');
    assert.equal(s.spec?.selector, undefined);
    assert.deepEqual(
      s.spec?.ports?.map((p) => `${p.name}/${p.protocol}/${p.port}`),
      ['dns/UDP/53', 'dns-tcp/TCP/53'],
    );
  });
  it("a node's slice: its address, owned by the Node, not the endpointslice controller's", () => {
    const sl = kubeDnsSlice({ metadata: { name: 'n1', uid: 'u1' } }, '192.0.2.7', 53);
    assert.equal(sl.metadata.name, 'kube-dns-n1');
    assert.equal(sl.metadata.labels?.['kubernetes.io/service-name'], 'kube-dns');
    assert.notEqual(sl.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.deepEqual(sl.endpoints[0].addresses, ['192.0.2.7']);
    assert.equal(sl.endpoints[0].nodeName, 'n1');
    assert.deepEqual((sl.endpoints[0].hints as { forNodes?: unknown }).forNodes, [{ name: 'n1' }]);
    assert.equal(sl.metadata.ownerReferences?.[0].uid, 'u1');
  });
});
