// Real packets between pods of two "node" namespaces: the pod network runs for each node (its host tools
// inside that node's namespace) against a fake API server holding the two Nodes. host-gw on a shared
// link, vxlan across a router that knows no pod CIDR; pod to pod keeps its source address, pod to
// outside is masqueraded; a restart reconciles without removing anything; a Node removed takes its
// route; stop() leaves no route, device or table. Needs root; skipped otherwise.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import type { Node } from '../../core/index.js';
import type { Exec } from '../proxy/adapter/exec.js';
import { hostExec } from '../proxy/adapter/exec.js';
import { canRunNetnsTests, ECHO_SERVER, inNs, PROBE, sh } from '../proxy/testing/netns.js';
import { type PodNetwork, startPodNetwork } from './index.js';
import { type LabNode, TwoNodeLab } from './testing/lab.js';

const skip = canRunNetnsTests();

function nodeObject(n: LabNode): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name },
    spec: { podCIDR: n.podCidr },
    status: { addresses: [{ type: 'InternalIP', address: n.ip }] },
  } as Node;
}

/** One HTTP request from a namespace; the echo server answers "<name> <source address>". */
function get(ns: string, host: string, port = 8080): string {
  const r = inNs(ns, process.execPath, [PROBE, 'tcp', host, String(port), '1', '2000']);
  const line = r.out.split('\n').find((l) => l.startsWith('{'));
  if (!line) return `no answer: ${r.out}`;
  const res = JSON.parse(line) as { ok: boolean; body?: string; error?: string };
  return res.ok ? res.body! : `error ${res.error}`;
}

function recording(ns: string, log: string[]): Exec {
  const exec = hostExec(ns);
  return (cmd, args, input) => {
    log.push(`${cmd} ${args.join(' ')}`);
    return exec(cmd, args, input);
  };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const shared of [true, false]) {
  const mode = shared ? 'host-gw (shared link)' : 'vxlan (routed, no pod routes on the way)';
  describe(`pod network with real packets: ${mode}`, { skip, timeout: 120_000 }, () => {
    const lab = new TwoNodeLab(shared ? 'tpg' : 'tpv', shared);
    const [a, b] = lab.nodes as [LabNode, LabNode];
    let api: FakeApiServer;
    let client: ApiClient;
    const nets: PodNetwork[] = [];
    const servers: ChildProcess[] = [];
    const serve = async (ns: string, name: string) => {
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ECHO_SERVER, name, '--tcp', '8080'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      servers.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
      });
    };
    const start = (n: LabNode, exec?: Exec) =>
      startPodNetwork({
        client,
        nodeName: n.name,
        netns: n.ns,
        exec,
        clusterCidr: '10.42.0.0/16',
        serviceCidr: '10.43.0.0/16',
      });
    const ipIn = (ns: string, ...args: string[]) => inNs(ns, 'ip', args).out;

    before(async () => {
      lab.setUp();
      api = await FakeApiServer.start();
      client = new ApiClient({ server: api.url });
      for (const n of lab.nodes) api.put('', 'nodes', nodeObject(n));
      await serve(a.podNs, 'pod-a');
      await serve(b.podNs, 'pod-b');
      await serve(lab.outside.ns, 'outside');
    });

    after(async () => {
      for (const n of nets) await n.stop().catch(() => {});
      for (const s of servers) s.kill('SIGKILL');
      await api?.stop();
      lab.cleanup();
    });

    it('without the pod network, pods on two nodes cannot reach each other', () => {
      assert.match(get(a.podNs, b.podIP), /^error/);
    });

    it('routes each node to the other: pod to pod keeps its source address', async () => {
      nets.push(await start(a), await start(b));
      const routeA = ipIn(a.ns, 'route', 'show', 'proto', '117');
      if (shared) assert.match(routeA, /10\.42\.2\.0\/24 via 198\.18\.1\.2 dev eth0/);
      else assert.match(routeA, /10\.42\.2\.0\/24 via 10\.42\.2\.0 dev tutti\.vx .*onlink/);
      if (shared) assert.doesNotMatch(ipIn(a.ns, 'link', 'show'), /tutti\.vx/);
      else {
        const link = ipIn(a.ns, '-d', 'link', 'show', 'tutti.vx');
        assert.match(link, /vxlan id 1 local 198\.18\.1\.1 dev eth0 .*dstport 8472/);
        assert.match(link, /mtu 1450 /);
      }
      // The fabric knows no pod CIDR: in the routed layout only encapsulated packets get through.
      assert.doesNotMatch(ipIn(lab.fabric, 'route', 'show'), /10\.42\./);
      assert.equal(get(a.podNs, b.podIP), `pod-b ${a.podIP}`);
      assert.equal(get(b.podNs, a.podIP), `pod-a ${b.podIP}`);
    });

    it('pod to outside leaves with the node address (masqueraded)', () => {
      assert.equal(get(a.podNs, lab.outside.ip), `outside ${a.ip}`);
      assert.match(inNs(a.ns, 'nft', ['list', 'table', 'ip', 'tutti-podnet']).out, /masquerade/);
    });

    it('pod to a ClusterIP DNATed to a pod on the other node keeps its source address', () => {
      // What the service proxy does on node A: 10.43.77.7:80 -> pod B (a table of this test, in A's namespace).
      const vip = '10.43.77.7';
      const rules = [
        'table ip tpn-vip {',
        '  chain pre { type nat hook prerouting priority dstnat; policy accept;',
        `    ip daddr ${vip} tcp dport 80 dnat to ${b.podIP}:8080`,
        '  }',
        '}',
        '',
      ].join('\n');
      sh('ip', ['netns', 'exec', a.ns, 'nft', '-f', '-'], rules);
      try {
        assert.match(
          inNs(a.ns, 'nft', ['list', 'table', 'ip', 'tutti-podnet']).out,
          /ip daddr != 10\.43\.0\.0\/16/,
          'the service CIDR is no masquerade destination',
        );
        assert.equal(get(a.podNs, vip, 80), `pod-b ${a.podIP}`);
      } finally {
        sh('ip', ['netns', 'exec', a.ns, 'nft', 'delete', 'table', 'ip', 'tpn-vip']);
      }
    });

    it('a restart (stop keeping the routes) adopts them without removing or replacing any', async () => {
      await nets[0]!.stop({ keepRoutes: true });
      nets.shift();
      assert.equal(get(a.podNs, b.podIP), `pod-b ${a.podIP}`, 'traffic flows while no process runs');
      const log: string[] = [];
      nets.unshift(await start(a, recording(a.ns, log)));
      const changes = log.filter((l) => / (del|add|replace) /.test(l) && !l.startsWith('nft'));
      assert.deepEqual(changes, shared ? [] : ['ip addr replace 10.42.1.0/32 dev tutti.vx']);
      assert.equal(get(a.podNs, b.podIP), `pod-b ${a.podIP}`);
    });

    it('a removed Node takes its route; added back, it returns', async () => {
      api.remove('', 'nodes', undefined, b.name);
      // auto: with no peer left behind a router, the vxlan device goes too.
      await until(
        'route and device gone',
        () =>
          !ipIn(a.ns, 'route', 'show', 'proto', '117').includes('10.42.2.0/24') &&
          !ipIn(a.ns, 'link', 'show').includes('tutti.vx'),
      );
      assert.match(get(a.podNs, b.podIP), /^error/);
      api.put('', 'nodes', nodeObject(b));
      await until('route back', () => ipIn(a.ns, 'route', 'show', 'proto', '117').includes('10.42.2.0/24'));
      assert.equal(get(a.podNs, b.podIP), `pod-b ${a.podIP}`);
    });

    it('a re-addressed Node moves its route (and VTEP) to the new address', async () => {
      const moved = { ...b, ip: shared ? '198.18.1.3' : '198.18.2.3' };
      sh('ip', ['netns', 'exec', b.ns, 'sysctl', '-qw', 'net.ipv4.conf.eth0.promote_secondaries=1']);
      sh('ip', ['-n', b.ns, 'addr', 'add', `${moved.ip}/24`, 'dev', 'eth0']);
      sh('ip', ['-n', b.ns, 'addr', 'del', `${b.ip}/24`, 'dev', 'eth0']);
      api.put('', 'nodes', nodeObject(moved));
      const via = shared ? `via ${moved.ip} dev eth0` : 'via 10.42.2.0 dev tutti.vx';
      await until('route moved', () => ipIn(a.ns, 'route', 'show', 'proto', '117').includes(`10.42.2.0/24 ${via}`));
      if (!shared) {
        await until('fdb moved', () =>
          inNs(a.ns, 'bridge', ['fdb', 'show', 'dev', 'tutti.vx']).out.includes(`dst ${moved.ip}`),
        );
        await until('peer VTEP moved', () =>
          ipIn(b.ns, '-d', 'link', 'show', 'tutti.vx').includes(`local ${moved.ip}`),
        );
      }
      await until('pod to pod over the new address', () => get(a.podNs, b.podIP) === `pod-b ${a.podIP}`, 20_000).catch(
        (err) => {
          // What each node holds, for the failure message.
          const state = [a.ns, b.ns].map((ns) =>
            [ipIn(ns, 'route'), ipIn(ns, 'neigh'), inNs(ns, 'bridge', ['fdb', 'show', 'dev', 'tutti.vx']).out].join(''),
          );
          throw new Error(`${err}\n${state.join('\n---\n')}`);
        },
      );
      assert.equal(get(b.podNs, a.podIP), `pod-a ${b.podIP}`);
    });

    it('stop() removes every route, device and table it added', async () => {
      for (const n of nets.splice(0)) await n.stop();
      for (const n of lab.nodes) {
        assert.equal(ipIn(n.ns, 'route', 'show', 'proto', '117').trim(), '');
        assert.doesNotMatch(ipIn(n.ns, 'link', 'show'), /tutti\.vx/);
        assert.notEqual(inNs(n.ns, 'nft', ['list', 'table', 'ip', 'tutti-podnet']).code, 0);
      }
      assert.match(get(a.podNs, b.podIP), /^error/);
    });
  });
}
