// Real packets through the NetworkPolicy table: two "node" namespaces joined by the pod network (host-gw),
// a server pod and a same-node client on node 1, two pods on node 2; NetworkPolicy enforcement runs for
// each node against a fake API server holding the pods, namespace and policies. Default deny blocks every
// client, an allow rule lets exactly the selected ones through (same node and across nodes), egress
// default-deny stops a pod reaching outside, and stop() removes the table. Needs root; skipped otherwise.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import type { NetworkPolicy, Node, Pod } from '../../core/index.js';
import { type PodNetwork, startPodNetwork } from '../podnet/index.js';
import { type LabNode, TwoNodeLab } from '../podnet/testing/lab.js';
import { canRunNetnsTests, ECHO_SERVER, inNs, PROBE } from '../proxy/testing/netns.js';
import { type NetworkPolicyEnforcer, startNetworkPolicy } from './index.js';

const skip = canRunNetnsTests();

function get(ns: string, host: string, port = 8080): string {
  const r = inNs(ns, process.execPath, [PROBE, 'tcp', host, String(port), '1', '1500']);
  const line = r.out.split('\n').find((l) => l.startsWith('{'));
  if (!line) return `no answer: ${r.out}`;
  const res = JSON.parse(line) as { ok: boolean; body?: string; error?: string };
  return res.ok ? res.body!.split(' ')[0]! : `error ${res.error}`;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('network policy with real packets', { skip, timeout: 120_000 }, () => {
  const lab = new TwoNodeLab('tnp', true);
  const [n1, n2] = lab.nodes as [LabNode, LabNode];
  let api: FakeApiServer;
  const nets: PodNetwork[] = [];
  const enforcers: NetworkPolicyEnforcer[] = [];
  const servers: ChildProcess[] = [];
  // server on node 1 (the lab's pod), client1 beside it, client2 (the lab's pod) and other on node 2.
  const pods = {
    server: { ns: n1.podNs, ip: n1.podIP, node: n1, labels: { app: 'server' } },
    client1: { ns: '', ip: '10.42.1.3', node: n1, labels: { role: 'client' } },
    client2: { ns: n2.podNs, ip: n2.podIP, node: n2, labels: { role: 'client' } },
    other: { ns: '', ip: '10.42.2.3', node: n2, labels: { role: 'other' } },
  };
  const policy = (name: string, spec: NetworkPolicy['spec']): NetworkPolicy =>
    ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: 'default' },
      spec,
    }) as NetworkPolicy;
  const fromAll = () =>
    Object.fromEntries(
      (['client1', 'client2', 'other'] as const).map((c) => [c, get(pods[c].ns, pods.server.ip)]),
    ) as Record<'client1' | 'client2' | 'other', string>;
  /** Waits until every node's enforcer has the given count of isolated pods. */
  const settled = (ingress: number, egress: number) =>
    until(`${ingress} ingress / ${egress} egress isolated`, () => {
      const all = enforcers.flatMap((e) => e.verdicts());
      return all.filter((v) => v.ingress).length === ingress && all.filter((v) => v.egress).length === egress;
    });

  before(async () => {
    lab.setUp();
    pods.client1.ns = lab.addPod(n1, 'c1', pods.client1.ip);
    pods.other.ns = lab.addPod(n2, 'ot', pods.other.ip);
    api = await FakeApiServer.start();
    const client = new ApiClient({ server: api.url });
    api.put('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    for (const n of lab.nodes) {
      api.put('', 'nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: n.name },
        spec: { podCIDR: n.podCidr },
        status: { addresses: [{ type: 'InternalIP', address: n.ip }] },
      } as Node);
    }
    for (const [name, p] of Object.entries(pods)) {
      api.put('', 'pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: p.labels },
        spec: { nodeName: p.node.name, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
        status: { phase: 'Running', podIP: p.ip },
      } as Pod);
    }
    const child = spawn(
      'ip',
      ['netns', 'exec', pods.server.ns, process.execPath, ECHO_SERVER, 'server', '--tcp', '8080'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    servers.push(child);
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    );
    const out = spawn(
      'ip',
      ['netns', 'exec', lab.outside.ns, process.execPath, ECHO_SERVER, 'outside', '--tcp', '8080'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    servers.push(out);
    await new Promise<void>((resolve) =>
      out.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    );
    for (const n of lab.nodes) {
      nets.push(await startPodNetwork({ client, nodeName: n.name, netns: n.ns, clusterCidr: '10.42.0.0/16' }));
      enforcers.push(await startNetworkPolicy({ client, nodeName: n.name, netns: n.ns }));
    }
  });

  after(async () => {
    for (const e of enforcers) await e.stop().catch(() => {});
    for (const n of nets) await n.stop().catch(() => {});
    for (const s of servers) s.kill('SIGKILL');
    await api?.stop();
    lab.cleanup();
  });

  it('without a policy every client reaches the server', () => {
    assert.deepEqual(fromAll(), { client1: 'server', client2: 'server', other: 'server' });
  });

  it('default-deny ingress blocks every client, same node and across nodes', async () => {
    api.put('networking.k8s.io', 'networkpolicies', policy('deny', { podSelector: {}, policyTypes: ['Ingress'] }));
    await settled(4, 0);
    const r = fromAll();
    assert.deepEqual(r, { client1: 'error timeout', client2: 'error timeout', other: 'error timeout' });
    assert.match(
      inNs(n1.ns, 'nft', ['list', 'map', 'inet', 'tutti-policy', 'ingress-pods']).out,
      /10\.42\.1\.2 : jump/,
    );
  });

  it('an allow rule on a named port lets exactly the selected pods through', async () => {
    api.put(
      'networking.k8s.io',
      'networkpolicies',
      policy('allow-clients', {
        podSelector: { matchLabels: { app: 'server' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] }],
      }),
    );
    await until('allow rule applied', () =>
      enforcers[0]!.verdicts().some((v) => v.pod === 'default/server' && (v.ingress?.length ?? 0) > 0),
    );
    assert.deepEqual(fromAll(), { client1: 'server', client2: 'server', other: 'error timeout' });
  });

  it('egress default-deny stops a pod reaching outside; replies to allowed connections still flow', async () => {
    assert.equal(get(pods.other.ns, lab.outside.ip), 'outside');
    api.put(
      'networking.k8s.io',
      'networkpolicies',
      policy('no-egress', { podSelector: { matchLabels: { role: 'other' } }, policyTypes: ['Egress'] }),
    );
    await settled(4, 1);
    assert.equal(get(pods.other.ns, lab.outside.ip), 'error timeout');
    assert.equal(get(pods.client2.ns, lab.outside.ip), 'outside');
  });

  it('deleting the policies restores traffic; stop() removes the table', async () => {
    for (const name of ['deny', 'allow-clients', 'no-egress'])
      api.remove('networking.k8s.io', 'networkpolicies', 'default', name);
    await settled(0, 0);
    assert.deepEqual(fromAll(), { client1: 'server', client2: 'server', other: 'server' });
    for (const e of enforcers.splice(0)) await e.stop();
    for (const n of lab.nodes) assert.notEqual(inNs(n.ns, 'nft', ['list', 'table', 'inet', 'tutti-policy']).code, 0);
  });
});
