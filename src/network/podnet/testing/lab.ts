// Two "node" namespaces for the pod network's packet tests, each with a pod bridge and one pod, joined
// either on one shared link (a bridge in a fabric namespace: host-gw works) or on two subnets with the
// fabric namespace routing between them but knowing no pod CIDR (only vxlan gets pods through). An
// "outside" host sits on the fabric. Nothing is created in the root namespace and no namespace has a
// route off the machine. cleanup() removes every namespace (and with it every veth, bridge, vxlan device
// and nft table in them), also when the process exits early.
import { spawnSync } from 'node:child_process';
import { sh } from '../../proxy/testing/netns.js';

export interface LabNode {
  name: string;
  ns: string;
  ip: string;
  podCidr: string;
  podNs: string;
  podIP: string;
}

export class TwoNodeLab {
  readonly namespaces: string[] = [];
  readonly prefix: string;
  readonly fabric: string;
  readonly outside: { ns: string; ip: string };
  readonly nodes: LabNode[];
  private readonly onExit = () => this.cleanup();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.cleanup();
    process.kill(process.pid, signal);
  };

  constructor(
    tag: string,
    readonly shared: boolean,
  ) {
    this.prefix = `${tag}${process.pid % 100000}`;
    this.fabric = `${this.prefix}-fab`;
    const ip = (i: number) => (shared ? `198.18.1.${i}` : `198.18.${i}.1`);
    this.nodes = [1, 2].map((i) => ({
      name: `node-${i}`,
      ns: `${this.prefix}-n${i}`,
      ip: ip(i),
      podCidr: `10.42.${i}.0/24`,
      podNs: `${this.prefix}-p${i}`,
      podIP: `10.42.${i}.2`,
    }));
    this.outside = { ns: `${this.prefix}-out`, ip: shared ? '198.18.1.100' : '198.18.9.1' };
    process.once('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  setUp(): void {
    const fab = (...a: string[]) => sh('ip', ['-n', this.fabric, ...a]);
    this.addNs(this.fabric);
    fab('link', 'set', 'lo', 'up');
    sh('ip', ['netns', 'exec', this.fabric, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    if (this.shared) {
      fab('link', 'add', 'br0', 'type', 'bridge');
      fab('link', 'set', 'br0', 'up');
    }
    const hosts = [
      ...this.nodes.map((n, i) => ({ ns: n.ns, ip: n.ip, port: `n${i + 1}` })),
      { ns: this.outside.ns, ip: this.outside.ip, port: 'out' },
    ];
    for (const h of hosts) {
      this.addNs(h.ns);
      fab('link', 'add', h.port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      const n = (...a: string[]) => sh('ip', ['-n', h.ns, ...a]);
      n('link', 'set', 'lo', 'up');
      n('addr', 'add', `${h.ip}/24`, 'dev', 'eth0');
      n('link', 'set', 'eth0', 'up');
      if (this.shared) {
        fab('link', 'set', h.port, 'master', 'br0');
      } else {
        const gw = h.ip.replace(/\.1$/, '.254');
        fab('addr', 'add', `${gw}/24`, 'dev', h.port);
        n('route', 'add', '198.18.0.0/16', 'via', gw);
      }
      fab('link', 'set', h.port, 'up');
    }
    for (const node of this.nodes) {
      const n = (...a: string[]) => sh('ip', ['-n', node.ns, ...a]);
      sh('ip', ['netns', 'exec', node.ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      n('link', 'add', 'cni0', 'type', 'bridge');
      n('addr', 'add', `${node.podCidr.replace(/0\/24$/, '1')}/24`, 'dev', 'cni0');
      n('link', 'set', 'cni0', 'up');
      this.addNs(node.podNs);
      n('link', 'add', 'vpod', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', node.podNs);
      n('link', 'set', 'vpod', 'master', 'cni0');
      n('link', 'set', 'vpod', 'up');
      const p = (...a: string[]) => sh('ip', ['-n', node.podNs, ...a]);
      p('link', 'set', 'lo', 'up');
      p('addr', 'add', `${node.podIP}/24`, 'dev', 'eth0');
      p('link', 'set', 'eth0', 'up');
      p('route', 'add', 'default', 'via', node.podCidr.replace(/0\/24$/, '1'));
    }
  }

  /** Another pod on a node's bridge (bridged traffic passes the IP hooks, as with the CNI bridge). */
  addPod(node: LabNode, name: string, ip: string): string {
    const ns = `${this.prefix}-${name}`;
    sh('ip', ['netns', 'exec', node.ns, 'sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
    this.addNs(ns);
    sh('ip', ['-n', node.ns, 'link', 'add', `v${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh('ip', ['-n', node.ns, 'link', 'set', `v${name}`, 'master', 'cni0']);
    sh('ip', ['-n', node.ns, 'link', 'set', `v${name}`, 'up']);
    const p = (...a: string[]) => sh('ip', ['-n', ns, ...a]);
    p('link', 'set', 'lo', 'up');
    p('addr', 'add', `${ip}/24`, 'dev', 'eth0');
    p('link', 'set', 'eth0', 'up');
    p('route', 'add', 'default', 'via', node.podCidr.replace(/0\/24$/, '1'));
    return ns;
  }

  cleanup(): void {
    for (const ns of this.namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns]);
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  private addNs(ns: string): void {
    spawnSync('ip', ['netns', 'del', ns]);
    sh('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
  }
}
