// The pod network and NetworkPolicy in a real two-node cluster, as users run it: `tutti server` (its own
// agent, node 1) and `tutti agent` (node 2), each in a network namespace of this test as its own "machine"
// with its own containerd, joined on one link by a bridge in a third namespace; no namespace has a
// default route, so no packet can leave the machine. Pods pinned to each node reach each other over the
// host-gw routes the agents programmed, and see each other's own pod address as the source (the CNI bridge
// does not masquerade when the pod network runs); a default-deny policy blocks, an allow rule lets exactly the
// selected pod through, across nodes too (by podSelector and by an ipBlock /32); after the pods and the processes are gone, no route, device or table of the pod
// network or the policy is left. Root + containerd; skipped otherwise.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, TUTTI_BIN } from '../../e2e/harness.js';
import { netnsSkipReason, nsRun, sh } from '../../e2e/testing/netns.js';

const skip = netnsSkipReason(['kubectl']);
const log = process.env.PODNET_E2E_LOG === '1';

const PREFIX = `tpc${process.pid % 100000}`;
const NS = { n1: `${PREFIX}-n1`, n2: `${PREFIX}-n2`, fab: `${PREFIX}-fab` };
const IP = { n1: '198.18.7.1', n2: '198.18.7.2' };
// A pod network and service range of this test's own, distinct from any other cluster on the machine.
const CIDRS = ['--cluster-cidr', '10.77.0.0/16', '--service-cidr', '10.78.0.0/16'];

describe('pod network and NetworkPolicy on a two-node cluster', { skip, timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-podnet-e2e-'));
  const serverDir = join(dir, 'server');
  const agentDir = join(dir, 'agent');
  const kubeconfig = join(serverDir, 'kubeconfig.yaml');
  const procs: ChildProcess[] = [];
  let node1 = '';
  const ips: Record<string, string> = {};
  let agentArgs: string[] = [];
  let agent: { text: string };
  let agentProc: ChildProcess;
  const exited = (p: ChildProcess) =>
    new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r)));

  const k = async (...args: string[]): Promise<string> => {
    const r = await nsRun(NS.n1, 'kubectl', ['--kubeconfig', kubeconfig, ...args], 60_000);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.out}`);
    return r.out;
  };
  const apply = async (yaml: string) => {
    const f = join(dir, `m-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, yaml);
    await k('apply', '-f', f);
  };
  /** An HTTP GET from a pod (busybox wget, bounded by timeout as wget -T crashes): the body, or ''. */
  const fetchFrom = async (pod: string, ip: string, path = '/') => {
    const r = await nsRun(NS.n1, 'kubectl', [
      '--kubeconfig',
      kubeconfig,
      'exec',
      pod,
      '--',
      'timeout',
      '3',
      'wget',
      '-qO-',
      `http://${ip}:8080${path}`,
    ]);
    return r.code === 0 ? r.out.trim() : '';
  };
  /** The source address a pod's request reached `ip` from, as busybox httpd's CGI sees it ('' if none). */
  const sourceSeen = async (pod: string, ip: string) =>
    (await fetchFrom(pod, ip, '/cgi-bin/ip')).replace(/^\[::ffff:(.*)\]$/, '$1');
  const tutti = (ns: string, args: string[], out: string) => {
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', process.execPath, TUTTI_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(child);
    const buf = { text: '' };
    child.stdout!.on('data', (d) => {
      buf.text += d;
      if (log) process.stderr.write(`[${out}] ${d}`);
    });
    child.stderr!.on('data', (d) => {
      if (log) process.stderr.write(`[${out}] ${d}`);
    });
    return buf;
  };
  // busybox httpd serving its name at / and, at /cgi-bin/ip, the address the request came from.
  const pod = (name: string, nodeName: string, labels: Record<string, string>) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: ${JSON.stringify({ ...labels, pod: name })}}
spec:
  nodeName: ${nodeName}
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:1.35
    command:
    - sh
    - -c
    - |
      echo ${name} > /tmp/index.html
      mkdir -p /tmp/cgi-bin
      printf '#!/bin/sh\\necho Content-Type: text/plain\\necho\\necho "$REMOTE_ADDR"\\n' > /tmp/cgi-bin/ip
      chmod +x /tmp/cgi-bin/ip
      exec httpd -f -p 8080 -h /tmp
    ports: [{name: http, containerPort: 8080}]
`;

  before(async () => {
    for (const ns of Object.values(NS)) {
      spawnSync('ip', ['netns', 'del', ns]);
      sh('ip', ['netns', 'add', ns]);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    sh('ip', ['-n', NS.fab, 'link', 'add', 'br0', 'type', 'bridge']);
    sh('ip', ['-n', NS.fab, 'link', 'set', 'br0', 'up']);
    for (const n of ['n1', 'n2'] as const) {
      sh('ip', ['-n', NS.fab, 'link', 'add', n, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS[n]]);
      sh('ip', ['-n', NS.fab, 'link', 'set', n, 'master', 'br0']);
      sh('ip', ['-n', NS.fab, 'link', 'set', n, 'up']);
      sh('ip', ['-n', NS[n], 'addr', 'add', `${IP[n]}/24`, 'dev', 'eth0']);
      sh('ip', ['-n', NS[n], 'link', 'set', 'eth0', 'up']);
    }
    const server = tutti(NS.n1, ['server', '--data-dir', serverDir, '--advertise-address', IP.n1, ...CIDRS], 'server');
    await pollUntil('tutti server ready', async () => server.text.includes('tutti server ready'), 180_000, 200);
    const token = sh('cat', [join(serverDir, 'node-token')]).trim();
    agentArgs = ['agent', '--server', `https://${IP.n1}:6443`, '--token', token, '--data-dir', agentDir];
    // No CIDR flags: the agent takes the server's from kube-system/tutti-config (with 10.42.0.0/16 it would
    // masquerade pod-to-pod traffic, which the source-address test below would see).
    agentArgs.push('--node-name', 'n2', '--node-ip', IP.n2);
    agent = tutti(NS.n2, agentArgs, 'agent');
    agentProc = procs[procs.length - 1]!;
    await pollUntil(
      'two Ready nodes',
      async () => (await k('get', 'nodes', '--no-headers')).split('\n').filter((l) => / Ready /.test(l)).length === 2,
      180_000,
      500,
    );
    node1 = (await k('get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}')).split(' ').find((n) => n !== 'n2')!;
    await apply(
      [
        pod('web1', node1, { app: 'web' }),
        pod('web2', 'n2', { app: 'web' }),
        pod('client2', 'n2', { role: 'client' }),
        pod('other2', 'n2', { role: 'other' }),
      ].join('---\n'),
    );
    await pollUntil(
      'four running pods',
      async () => {
        const list = JSON.parse(await k('get', 'pods', '-o', 'json')) as {
          items: { metadata: { name: string }; status: { phase?: string; podIP?: string } }[];
        };
        for (const p of list.items) if (p.status.podIP) ips[p.metadata.name] = p.status.podIP;
        return list.items.filter((p) => p.status.phase === 'Running' && p.status.podIP).length === 4;
      },
      180_000,
      500,
    );
  });

  after(async () => {
    await k('delete', 'networkpolicy', '--all').catch(() => {});
    await k('delete', 'pods', '--all', '--grace-period=0', '--force').catch(() => {});
    await pollUntil(
      'no pods',
      async () => (await k('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}')).trim() === '',
      60_000,
      500,
    ).catch(() => {});
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
          }),
      ),
    );
    // Whatever the agents left of their pod network (bridges, CNI rules, cgroups): their own killall.
    await nsRun(NS.n1, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', serverDir], 60_000);
    await nsRun(NS.n2, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', agentDir], 60_000);
    for (const ns of Object.values(NS)) spawnSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('each node routes the other node pod CIDR (host-gw on the shared link)', async () => {
    const cidrs = JSON.parse(await k('get', 'nodes', '-o', 'json')) as {
      items: { metadata: { name: string }; spec: { podCIDR: string } }[];
    };
    const cidrOf = (n: string) => cidrs.items.find((i) => i.metadata.name === n)!.spec.podCIDR;
    const r1 = (await nsRun(NS.n1, 'ip', ['route', 'show', 'proto', '117'])).out;
    const r2 = (await nsRun(NS.n2, 'ip', ['route', 'show', 'proto', '117'])).out;
    assert.match(r1, new RegExp(`${cidrOf('n2').replace(/\./g, '\\.')} via ${IP.n2} dev eth0`));
    assert.match(r2, new RegExp(`${cidrOf(node1).replace(/\./g, '\\.')} via ${IP.n1} dev eth0`));
  });

  it('a pod on node 1 and a pod on node 2 reach each other', async () => {
    assert.equal(await fetchFrom('web1', ips.web2!), 'web2');
    assert.equal(await fetchFrom('web2', ips.web1!), 'web1');
  });

  it('pod to pod across nodes keeps the source pod address (no masquerade by the CNI bridge)', async () => {
    assert.equal(await sourceSeen('client2', ips.web1!), ips.client2, 'node 2 -> node 1');
    assert.equal(await sourceSeen('web1', ips.web2!), ips.web1, 'node 1 -> node 2');
    for (const d of [serverDir, agentDir]) {
      const conflist = JSON.parse(
        readFileSync(join(d, 'agent', 'containerd', 'cni', 'net.d', '10-tutti.conflist'), 'utf8'),
      );
      assert.equal(conflist.plugins[0].ipMasq, false, d);
    }
  });

  it('a NetworkPolicy on node 1 lets exactly one pod of node 2 in (podSelector, then ipBlock /32)', async () => {
    await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web1-from-client2}
spec:
  podSelector: {matchLabels: {pod: web1}}
  ingress:
  - from: [{podSelector: {matchLabels: {pod: client2}}}]
`);
    await pollUntil('other2 kept out of web1', async () => (await fetchFrom('other2', ips.web1!)) === '', 20_000, 200);
    assert.equal(await sourceSeen('client2', ips.web1!), ips.client2);
    assert.equal(await fetchFrom('web2', ips.web1!), '');
    await k('delete', 'networkpolicy', 'web1-from-client2');
    await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web1-from-ip}
spec:
  podSelector: {matchLabels: {pod: web1}}
  ingress:
  - from: [{ipBlock: {cidr: ${ips.client2}/32}}]
`);
    await pollUntil(
      'other2 kept out by the ipBlock',
      async () => (await fetchFrom('other2', ips.web1!)) === '',
      20_000,
      200,
    );
    assert.equal(await fetchFrom('client2', ips.web1!), 'web1');
    await k('delete', 'networkpolicy', 'web1-from-ip');
    await pollUntil('web1 open again', async () => (await fetchFrom('other2', ips.web1!)) === 'web1', 20_000, 200);
  });

  it('default-deny blocks; an allow rule lets exactly the selected pod through', async () => {
    await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny}
spec: {podSelector: {}, policyTypes: [Ingress]}
`);
    await pollUntil('web2 isolated', async () => (await fetchFrom('client2', ips.web2!)) === '', 20_000, 200);
    assert.equal(await fetchFrom('web1', ips.web2!), '', 'across nodes');
    assert.equal(await fetchFrom('other2', ips.web2!), '', 'same node');
    await apply(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-clients}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {role: client}}}]
    ports: [{port: http}]
`);
    await pollUntil('client2 allowed', async () => (await fetchFrom('client2', ips.web2!)) === 'web2', 20_000, 200);
    assert.equal(await fetchFrom('other2', ips.web2!), '');
    await k('delete', 'networkpolicy', 'deny', 'allow-clients');
    await pollUntil('open again', async () => (await fetchFrom('other2', ips.web2!)) === 'web2', 20_000, 200);
  });

  it('node 2 agent restarting: pods keep reaching each other across nodes, the new agent adopts the routes', async () => {
    const route = (await nsRun(NS.n2, 'ip', ['route', 'show', 'proto', '117'])).out;
    assert.match(route, /via 198\.18\.7\.1 dev eth0/);
    agentProc.kill('SIGTERM');
    await exited(agentProc);
    assert.equal((await nsRun(NS.n2, 'ip', ['route', 'show', 'proto', '117'])).out, route, 'the routes stay');
    assert.doesNotMatch((await nsRun(NS.n2, 'nft', ['list', 'tables'])).out, /tutti-podnet|tutti-policy/);
    assert.equal(await fetchFrom('web1', ips.web2!), 'web2', 'while no agent runs on node 2');
    agent = tutti(NS.n2, agentArgs, 'agent');
    agentProc = procs[procs.length - 1]!;
    await pollUntil('agent ready again', async () => agent.text.includes('tutti agent ready'), 120_000, 200);
    await pollUntil(
      'tables back',
      async () => /tutti-policy/.test((await nsRun(NS.n2, 'nft', ['list', 'tables'])).out),
      60_000,
      200,
    );
    assert.equal((await nsRun(NS.n2, 'ip', ['route', 'show', 'proto', '117'])).out, route);
    assert.equal(await fetchFrom('web1', ips.web2!), 'web2');
  });

  it('stopped, the nodes keep only their routes; after tutti killall nothing of either part is left', async () => {
    await k('delete', 'pods', '--all', '--grace-period=0', '--force');
    await pollUntil(
      'no pods',
      async () => (await k('get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}')).trim() === '',
      60_000,
      500,
    );
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map(exited));
    for (const ns of [NS.n1, NS.n2]) {
      assert.doesNotMatch((await nsRun(ns, 'nft', ['list', 'tables'])).out, /tutti-podnet|tutti-policy/);
      assert.match((await nsRun(ns, 'ip', ['route', 'show', 'proto', '117'])).out, /via/);
    }
    const killall = [
      [NS.n1, serverDir],
      [NS.n2, agentDir],
    ];
    for (const [ns, d] of killall) await nsRun(ns!, process.execPath, [TUTTI_BIN, 'killall', '--data-dir', d!], 60_000);
    for (const ns of [NS.n1, NS.n2]) {
      assert.equal((await nsRun(ns, 'ip', ['route', 'show', 'proto', '117'])).out.trim(), '');
      assert.doesNotMatch((await nsRun(ns, 'ip', ['link', 'show'])).out, /tutti\.vx/);
      assert.doesNotMatch((await nsRun(ns, 'nft', ['list', 'tables'])).out, /tutti-podnet|tutti-policy/);
    }
  });
});
