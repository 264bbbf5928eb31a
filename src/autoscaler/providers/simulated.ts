// The simulated provider: each new node is a simulated node in this process (src/simnodes), for scale
// tests and benchmarks. It registers the Node with the template's labels and taints first, so the node
// never shows without them, then lets SimulatedNodes take it over (lease, Ready status, pods Running),
// and finally reports the template's full capacity (SimulatedNodes knows only cpu, memory and pods).

import { type ApiClient, isAlreadyExists, isNotFound, resourcePath } from '../../client/index.js';
import { resources } from '../../core/resources.js';
import { LABEL_ARCH, LABEL_OS, NODE_LEASE_NAMESPACE } from '../../core/well-known.js';
import { SimulatedNodes, type SimulatedNodesOptions } from '../../simnodes/index.js';
import { abortable, type NewNode, type NodeProvider } from './provider.js';

export interface SimulatedProviderOptions {
  client: ApiClient;
  /** Time a machine takes to boot before its node registers (default 0). */
  bootMs?: number;
  /** Bound pod -> Running (default 200 ms). */
  podStartMs?: number;
  podDeleteMs?: number;
  leaseRenewMs?: number;
  statusUpdateMs?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * SimulatedNodes names its nodes `${prefix}-${i}`; the autoscaler chooses names, so this one node keeps
 * the given name. (simnodes could take explicit names, or add and remove nodes one at a time: see README.)
 */
class OneSimulatedNode extends SimulatedNodes {
  constructor(
    private readonly fixedName: string,
    opts: SimulatedNodesOptions,
  ) {
    super({ ...opts, count: 1 });
  }

  override nodeName(): string {
    return this.fixedName;
  }
}

export class SimulatedProvider implements NodeProvider {
  readonly kind = 'simulated';
  private readonly running = new Map<string, { group: string; sim?: OneSimulatedNode }>();

  constructor(private readonly opts: SimulatedProviderOptions) {}

  async createNode(n: NewNode, signal: AbortSignal): Promise<void> {
    this.running.set(n.name, { group: n.group });
    await abortable(new Promise((r) => setTimeout(r, this.opts.bootMs ?? 0)), signal);
    const { client } = this.opts;
    const node = { ...n.node, metadata: { ...n.node.metadata } };
    node.metadata.labels = {
      [LABEL_OS]: 'linux',
      [LABEL_ARCH]: 'amd64',
      'node.tutti.io/simulated': 'true',
      ...node.metadata.labels,
    };
    try {
      await client.create(resourcePath(resources.nodes), node);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const cap = n.template.capacity;
    const sim = new OneSimulatedNode(n.name, {
      client,
      count: 1,
      capacity: { cpu: cap['cpu'], memory: cap['memory'], pods: cap['pods'] },
      podStartMs: this.opts.podStartMs ?? 200,
      podDeleteMs: this.opts.podDeleteMs ?? 200,
      leaseRenewMs: this.opts.leaseRenewMs,
      statusUpdateMs: this.opts.statusUpdateMs,
      log: this.opts.log,
    });
    const entry = this.running.get(n.name);
    if (!entry || signal.aborted) return;
    entry.sim = sim;
    await sim.start();
    await client.patch(
      resourcePath(resources.nodes, { name: n.name, subresource: 'status' }),
      { status: { capacity: { ...cap }, allocatable: { ...cap } } },
      'merge',
    );
  }

  async deleteNode(_group: string, name: string): Promise<void> {
    const entry = this.running.get(name);
    this.running.delete(name);
    await entry?.sim?.stop();
    // The lease is the simulated machine's; the Node object is the autoscaler's to delete.
    await this.opts.client
      .delete(resourcePath(resources.leases, { namespace: NODE_LEASE_NAMESPACE, name }))
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
  }

  async listNodes(group: string): Promise<string[]> {
    return [...this.running].filter(([, e]) => e.group === group).map(([name]) => name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((e) => e.sim?.stop()));
    this.running.clear();
  }
}
