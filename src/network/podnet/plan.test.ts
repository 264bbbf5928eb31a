// The pod network plan on plain objects: which peers get host-gw routes, which a vxlan route with its
// neighbour and fdb entries, which none and why, and what is exempt from masquerading.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../../core/index.js';
import { coveringCidrs, type LocalLink, type PeerNode, peerFromNode, planPodNetwork, vtepMac } from './plan.js';

const self = { name: 'a', ip: '192.168.1.10', podCidr: '10.42.1.0/24' };
const links: LocalLink[] = [
  { dev: 'eth0', cidr: '192.168.1.10/24' },
  { dev: 'tutti0', cidr: '10.42.1.1/24' },
];
const peers: PeerNode[] = [
  self,
  { name: 'b', ip: '192.168.1.11', podCidr: '10.42.2.0/24' },
  { name: 'c', ip: '172.20.0.5', podCidr: '10.42.3.0/24' },
];

describe('pod network plan', () => {
  it('auto: host-gw for a peer on a shared link, vxlan for one that is not', () => {
    const p = planPodNetwork({ self, nodes: peers, links, backend: 'auto', clusterCidr: '10.42.0.0/16' });
    assert.deepEqual(p.routes, [
      { dst: '10.42.2.0/24', via: '192.168.1.11', dev: 'eth0' },
      { dst: '10.42.3.0/24', via: '10.42.3.0', dev: 'tutti.vx', onlink: true },
    ]);
    assert.deepEqual(p.neigh, [{ ip: '10.42.3.0', mac: '0a:58:ac:14:00:05', dev: 'tutti.vx' }]);
    assert.deepEqual(p.fdb, [{ mac: '0a:58:ac:14:00:05', dst: '172.20.0.5', dev: 'tutti.vx' }]);
    assert.deepEqual(p.vxlan, {
      device: 'tutti.vx',
      vni: 1,
      port: 8472,
      localIp: '192.168.1.10',
      mac: '0a:58:c0:a8:01:0a',
      address: '10.42.1.0',
    });
    assert.deepEqual(p.podCidrs, ['10.42.0.0/16']);
    assert.deepEqual(p.skipped, []);
  });

  it('the service CIDR is exempt from masquerading as a destination (normalized), never a source', async () => {
    const p = planPodNetwork({ self, nodes: peers, links, backend: 'auto', serviceCidr: '10.43.7.1/16' });
    assert.deepEqual(p.serviceCidrs, ['10.43.0.0/16']);
    assert.ok(!p.podCidrs.includes('10.43.0.0/16'));
    assert.deepEqual(planPodNetwork({ self, nodes: peers, links, backend: 'auto' }).serviceCidrs, []);
    const { nftScript } = await import('./adapter.js');
    assert.match(
      nftScript(p, true),
      /ip saddr @pod-cidrs ip daddr != @pod-cidrs ip daddr != \{ 10\.43\.0\.0\/16 \} ip daddr != 224\.0\.0\.0\/4 masquerade/,
    );
  });

  it('host-gw: a peer off-link gets no route (and no vxlan device), with the reason', () => {
    const p = planPodNetwork({ self, nodes: peers, links, backend: 'host-gw' });
    assert.deepEqual(p.routes, [{ dst: '10.42.2.0/24', via: '192.168.1.11', dev: 'eth0' }]);
    assert.equal(p.vxlan, undefined);
    assert.deepEqual(p.skipped, [{ node: 'c', reason: 'host-gw: 172.20.0.5 is not on a link of this node' }]);
    // Without a cluster CIDR the exemptions are every node's pod CIDR, routed or not.
    assert.deepEqual(p.podCidrs, ['10.42.1.0/24', '10.42.2.0/24', '10.42.3.0/24']);
  });

  it('vxlan: every peer through the overlay, even one on a shared link', () => {
    const p = planPodNetwork({ self, nodes: peers, links, backend: 'vxlan' });
    assert.deepEqual(
      p.routes.map((r) => `${r.dst} via ${r.via} dev ${r.dev}`),
      ['10.42.2.0/24 via 10.42.2.0 dev tutti.vx', '10.42.3.0/24 via 10.42.3.0 dev tutti.vx'],
    );
    assert.deepEqual(
      p.fdb.map((f) => f.dst),
      ['192.168.1.11', '172.20.0.5'],
    );
    assert.ok(p.vxlan);
  });

  it('no vxlan device when every peer is on a link; none at all on a single node', () => {
    assert.equal(planPodNetwork({ self, nodes: peers.slice(0, 2), links, backend: 'auto' }).vxlan, undefined);
    const alone = planPodNetwork({ self, nodes: [self], links, backend: 'auto' });
    assert.deepEqual(alone.routes, []);
    assert.deepEqual(alone.podCidrs, ['10.42.1.0/24']);
  });

  it('re-addressing a node moves its route; removing it removes the route', () => {
    const moved = planPodNetwork({
      self,
      nodes: [self, { name: 'b', ip: '172.20.0.9', podCidr: '10.42.2.0/24' }],
      links,
      backend: 'auto',
    });
    assert.deepEqual(moved.routes, [{ dst: '10.42.2.0/24', via: '10.42.2.0', dev: 'tutti.vx', onlink: true }]);
    assert.deepEqual(moved.fdb, [{ mac: vtepMac('172.20.0.9'), dst: '172.20.0.9', dev: 'tutti.vx' }]);
    assert.deepEqual(planPodNetwork({ self, nodes: [self], links, backend: 'auto' }).routes, []);
  });

  it('skips peers without a podCIDR or address, overlapping ours, or claiming a routed CIDR', () => {
    const p = planPodNetwork({
      self,
      nodes: [
        self,
        { name: 'b', ip: '192.168.1.11', podCidr: '10.42.2.0/24' },
        { name: 'b2', ip: '192.168.1.12', podCidr: '10.42.2.0/24' },
        { name: 'd', ip: '192.168.1.13' },
        { name: 'e', podCidr: '10.42.5.0/24' },
        { name: 'f', ip: '192.168.1.14', podCidr: '10.42.1.128/25' },
        { name: 'g', ip: '192.168.1.10', podCidr: '10.42.7.0/24' },
        { name: 'h', ip: '192.168.1.15', podCidr: 'nonsense' },
        { name: 'i', ip: '127.0.0.3', podCidr: '10.42.9.0/24' },
      ],
      links,
      backend: 'auto',
    });
    assert.deepEqual(p.routes, [{ dst: '10.42.2.0/24', via: '192.168.1.11', dev: 'eth0' }]);
    assert.deepEqual(p.skipped, [
      { node: 'b2', reason: 'podCIDR 10.42.2.0/24 is already routed to node b' },
      { node: 'd', reason: 'no podCIDR' },
      { node: 'e', reason: 'no InternalIP' },
      { node: 'f', reason: "podCIDR 10.42.1.128/25 overlaps this node's 10.42.1.0/24" },
      { node: 'g', reason: "InternalIP 192.168.1.10 is this node's own" },
      { node: 'h', reason: 'invalid podCIDR nonsense' },
      { node: 'i', reason: 'InternalIP 127.0.0.3 is a loopback address' },
    ]);
  });

  it('a /32 address is no shared link', () => {
    const p = planPodNetwork({
      self,
      nodes: peers.slice(0, 2),
      links: [{ dev: 'eth0', cidr: '192.168.1.10/32' }],
      backend: 'auto',
    });
    assert.equal(p.routes[0]?.dev, 'tutti.vx');
  });

  it('Node objects: InternalIP first, else any IPv4 address', () => {
    const node = (addresses: { type: string; address: string }[]): Node =>
      ({ metadata: { name: 'n' }, spec: { podCIDR: '10.42.9.0/24' }, status: { addresses } }) as Node;
    assert.deepEqual(
      peerFromNode(
        node([
          { type: 'Hostname', address: 'n' },
          { type: 'ExternalIP', address: '203.0.113.1' },
          { type: 'InternalIP', address: '10.0.0.9' },
        ]),
      ),
      { name: 'n', podCidr: '10.42.9.0/24', ip: '10.0.0.9' },
    );
    assert.equal(
      peerFromNode(
        node([
          { type: 'Hostname', address: 'n' },
          { type: 'ExternalIP', address: '203.0.113.1' },
        ]),
      ).ip,
      '203.0.113.1',
    );
  });

  it('covering CIDRs drop the ones inside another and normalise', () => {
    assert.deepEqual(coveringCidrs(['10.42.3.0/24', '10.42.0.0/16', '10.42.1.7/24', '10.1.0.0/16', 'bad']), [
      '10.1.0.0/16',
      '10.42.0.0/16',
    ]);
  });
});
