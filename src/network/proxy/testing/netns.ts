// Network namespaces for the proxy's packet tests and benchmark: a "node" namespace with a pod bridge,
// pods on it, a client on its own link, and a link to the root namespace for the API server. Everything
// is named after a prefix with the pid (two test files can run at once) and removed by cleanup(), also
// when the process exits early. The node namespace has no default route: no packet can leave the machine.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ECHO_SERVER = join(HERE, 'echo-server.js');
export const PROBE = join(HERE, 'probe.js');
export const RUN_PROXY = join(HERE, 'run-proxy.js');

export function sh(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Runs a command in a namespace; returns its output whatever the exit code. */
export function inNs(ns: string, cmd: string, args: string[], input?: string): { code: number; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { input, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

export function canRunNetnsTests(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, nftables)';
  for (const tool of ['ip', 'nft', 'nsenter', 'curl']) {
    if (spawnSync('which', [tool]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}

export interface Pod {
  ns: string;
  ip: string;
  /** Node-side veth. */
  hostIf: string;
}

export interface ProxyLabLayout {
  prefix: string;
  node: string;
  nodeIP: string;
  /** Root-namespace end of the API link, and the node end. */
  apiHostIP: string;
  apiNodeIP: string;
  bridge: string;
  bridgeIP: string;
  podCidr: string;
  clusterCidr: string;
  serviceCidr: string;
  client: string;
  clientIP: string;
}

export class ProxyLab {
  readonly namespaces: string[] = [];
  readonly links: string[] = [];
  readonly processes: ChildProcess[] = [];
  readonly pods: Pod[] = [];
  readonly layout: ProxyLabLayout;
  private readonly onExit = () => this.cleanupSync();
  // A signal ends the process without 'exit' handlers: clean up first, then die of the signal.
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.cleanupSync();
    process.kill(process.pid, signal);
  };

  constructor(tag: string) {
    const pid = process.pid;
    const prefix = `${tag}${pid % 100000}`;
    // A /30 for the API link, from the pid so two labs differ; link-local, never routed anywhere.
    const a = (pid >> 6) % 250;
    const b = (pid % 64) * 4;
    this.layout = {
      prefix,
      node: `${prefix}-node`,
      nodeIP: '198.18.0.1',
      apiHostIP: `169.254.${a}.${b + 1}`,
      apiNodeIP: `169.254.${a}.${b + 2}`,
      bridge: `${prefix}br`,
      bridgeIP: '10.42.0.1',
      podCidr: '10.42.0.0/24',
      clusterCidr: '10.42.0.0/16',
      serviceCidr: '10.43.0.0/16',
      client: `${prefix}-cl`,
      clientIP: '198.18.0.2',
    };
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /** The node, its bridge, the client link and the API link. */
  setUp(): void {
    const L = this.layout;
    this.addNs(L.node);
    const n = (...args: string[]) => sh('ip', ['-n', L.node, ...args]);
    n('link', 'set', 'lo', 'up');
    n('link', 'add', L.bridge, 'type', 'bridge');
    n('addr', 'add', `${L.bridgeIP}/24`, 'dev', L.bridge);
    n('link', 'set', L.bridge, 'up');
    // A VIP whose endpoint sits on the client's own bridge needs bridged packets to pass the IP hooks.
    sh('ip', ['netns', 'exec', L.node, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
    sh('ip', ['netns', 'exec', L.node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // API link: root namespace <-> node.
    const hostIf = `${L.prefix}h`;
    sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', `${L.prefix}n`, 'netns', L.node]);
    this.links.push(hostIf);
    sh('ip', ['addr', 'add', `${L.apiHostIP}/30`, 'dev', hostIf]);
    sh('ip', ['link', 'set', hostIf, 'up']);
    n('addr', 'add', `${L.apiNodeIP}/30`, 'dev', `${L.prefix}n`);
    n('link', 'set', `${L.prefix}n`, 'up');
    // Client: its own link to the node, default route through the node (which has none of its own).
    this.addNs(L.client);
    sh('ip', ['-n', L.node, 'link', 'add', `${L.prefix}cl`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', L.client]);
    n('addr', 'add', `${L.nodeIP}/24`, 'dev', `${L.prefix}cl`);
    n('link', 'set', `${L.prefix}cl`, 'up');
    const c = (...args: string[]) => sh('ip', ['-n', L.client, ...args]);
    c('link', 'set', 'lo', 'up');
    c('addr', 'add', `${L.clientIP}/24`, 'dev', 'eth0');
    c('link', 'set', 'eth0', 'up');
    c('route', 'add', 'default', 'via', L.nodeIP);
  }

  /** A pod namespace on the node's bridge, hairpin on (as the CNI bridge's hairpinMode). */
  addPod(name: string, ip: string): Pod {
    const L = this.layout;
    const ns = `${L.prefix}-${name}`;
    const hostIf = `${L.prefix}p${name}`;
    this.addNs(ns);
    sh('ip', ['-n', L.node, 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', L.node, 'link', 'set', hostIf, 'master', L.bridge]);
    sh('ip', ['-n', L.node, 'link', 'set', hostIf, 'type', 'bridge_slave', 'hairpin', 'on']);
    sh('ip', ['-n', L.node, 'link', 'set', hostIf, 'up']);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    sh('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    sh('ip', ['-n', ns, 'route', 'add', 'default', 'via', L.bridgeIP]);
    const pod = { ns, ip, hostIf };
    this.pods.push(pod);
    return pod;
  }

  /** Starts a long-running process in a namespace; resolves once it printed `readyText` on stdout. */
  async spawnIn(
    ns: string,
    cmd: string,
    args: string[],
    readyText?: string,
    timeoutMs = 20_000,
  ): Promise<ChildProcess> {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.processes.push(child);
    if (!readyText) return child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`${cmd} in ${ns} not ready: ${out}${err}`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes(readyText)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${cmd} in ${ns} exited with ${code}: ${out}${err}`));
      });
    });
    return child;
  }

  /** Kills every process, deletes every namespace and root-namespace link. Safe to call twice. */
  async cleanup(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            const t = setTimeout(() => p.kill('SIGKILL'), 5000);
            p.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            p.kill('SIGTERM');
          }),
      ),
    );
    this.processes.length = 0;
    this.cleanupSync();
  }

  private addNs(ns: string): void {
    spawnSync('ip', ['netns', 'del', ns]); // a leftover of a crashed run with the same pid
    sh('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
  }

  private cleanupSync(): void {
    for (const p of this.processes) if (p.exitCode === null) p.kill('SIGKILL');
    for (const l of this.links.splice(0)) spawnSync('ip', ['link', 'del', l]);
    for (const ns of this.namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns]);
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
