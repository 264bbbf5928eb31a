// Nodes beyond the pod network's capacity (issue 12), through the whole `tutti server` with simulated nodes:
// with --cluster-cidr 10.200.0.0/23 (two /24s) the third node gets no pod CIDR. It carries upstream's signs —
// the CIDRNotAvailable event that `kubectl describe node` shows, the NetworkUnavailable condition and the
// node.kubernetes.io/network-unavailable:NoSchedule taint — and the scheduler puts no pod on it. When a node
// with a CIDR leaves, the waiting node gets the freed CIDR and loses condition and taint.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from '../core/index.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 200);
const TAINT = 'node.kubernetes.io/network-unavailable';

describe('nodes beyond the pod network are tainted network-unavailable and get no pods', { timeout: 180_000 }, () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  const nodes = async () => (JSON.parse(await s.k('get', 'nodes', '-o', 'json')) as { items: Node[] }).items;
  const netCondition = (n: Node) => n.status?.conditions?.find((c) => c.type === 'NetworkUnavailable');

  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true, args: ['--cluster-cidr', '10.200.0.0/23'] },
      { count: 3, prefix: 'cidr', podStartMs: 50, leaseRenewMs: 1000, statusUpdateMs: 1000 },
    );
    ({ s } = cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  let starved = '';
  it('the node without a CIDR has the event, the condition and the NoSchedule taint', async () => {
    const node = await until('one node without a pod CIDR, tainted', 30_000, async () => {
      const all = await nodes();
      const withCidr = all.filter((n) => n.spec?.podCIDR);
      const without = all.filter((n) => !n.spec?.podCIDR);
      if (all.length !== 3 || withCidr.length !== 2 || without.length !== 1) return undefined;
      const n = without[0]!;
      return n.spec?.taints?.some((t) => t.key === TAINT && t.effect === 'NoSchedule') ? n : undefined;
    });
    starved = node.metadata.name!;
    const cond = netCondition(node);
    assert.equal(cond?.status, 'True');
    assert.equal(cond?.reason, 'CIDRNotAvailable');
    assert.match(cond?.message ?? '', /no pod CIDR left in 10\.200\.0\.0\/23: it holds 2 nodes of \/24/);
    // Status updates of the node itself (every second) keep the condition: they merge conditions by type.
    await new Promise((r) => setTimeout(r, 2500));
    const again = (await nodes()).find((n) => n.metadata.name === starved)!;
    assert.equal(netCondition(again)?.status, 'True');
    const describe = await s.k('describe', 'node', starved);
    assert.match(
      describe,
      /Normal\s+CIDRNotAvailable\s.*node-ipam-controller\s+Node \S+ status is now: CIDRNotAvailable/,
    );
    assert.match(describe, /NetworkUnavailable\s+True/);
    assert.match(describe, /Taints:\s+node\.kubernetes\.io\/network-unavailable:NoSchedule/);
  });

  it('the scheduler puts no pod of a Deployment on it', async () => {
    await s.k('create', 'deployment', 'web', '--image=busybox:1.35', '--replicas=8');
    const pods = await until('8 running pods', 60_000, async () => {
      const ps = (JSON.parse(await s.k('get', 'pods', '-l', 'app=web', '-o', 'json')) as { items: Pod[] }).items;
      return ps.length === 8 && ps.every((p) => p.status?.phase === 'Running') ? ps : undefined;
    });
    assert.equal(pods.filter((p) => p.spec?.nodeName === starved).length, 0);
    await s.k('delete', 'deployment', 'web');
  });

  it('a freed CIDR goes to the waiting node, which loses condition and taint', async () => {
    const donor = (await nodes()).find((n) => n.spec?.podCIDR)!;
    const freed = donor.spec!.podCIDR!;
    await cluster!.sim.stop();
    await s.k('delete', 'node', donor.metadata.name!);
    // The remaining simulated nodes are gone with their agent: the waiting Node object still gets the CIDR.
    const node = await until(`${starved} gets ${freed}`, 30_000, async () => {
      const n = (await nodes()).find((x) => x.metadata.name === starved);
      return n?.spec?.podCIDR === freed ? n : undefined;
    });
    const settled = await until('condition False and no taint', 30_000, async () => {
      const n = (await nodes()).find((x) => x.metadata.name === starved)!;
      return netCondition(n)?.status === 'False' && !n.spec?.taints?.some((t) => t.key === TAINT) ? n : undefined;
    });
    assert.equal(netCondition(settled)?.reason, 'CIDRAssigned');
    assert.equal(node.spec?.podCIDRs?.[0], freed);
  });
});
