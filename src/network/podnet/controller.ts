// The pod network's control loop: a Node informer (and a periodic re-read of this node's own links)
// marks the network dirty; a sync computes the plan from the cache and brings the kernel to it.
//   Node informer ─▶ peers ─┐
//   ip addr (own links) ────┴─▶ planPodNetwork (pure) ─▶ applyPlan (ip, bridge, nft -f) on this node
import type { ApiClient } from '../../client/index.js';
import { Informer } from '../../client/index.js';
import { type Node, resources } from '../../core/index.js';
import { type Exec, hostExec } from '../proxy/adapter/exec.js';
import { applyPlan, localLinks, removeAll, removeTable } from './adapter.js';
import {
  type Backend,
  DEFAULT_VXLAN,
  type PodNetPlan,
  peerFromNode,
  planPodNetwork,
  type VxlanConfig,
} from './plan.js';

export type PodNetLog = (msg: string, fields: Record<string, unknown>) => void;

export interface PodNetworkOptions {
  client: ApiClient;
  /** This node's name (its own Node gives the defaults below). */
  nodeName: string;
  /** This node's address (VTEP source); default its Node's InternalIP. */
  nodeIP?: string;
  /** This node's pod CIDR; default its Node's spec.podCIDR. */
  podCidr?: string;
  /** The whole pod network (destinations in it are never masqueraded). Default: the union of the nodes' pod CIDRs. */
  clusterCidr?: string;
  /** The Service ClusterIP range: not masqueraded as a destination either (a ClusterIP the proxy did not DNAT). */
  serviceCidr?: string;
  /** auto (default): host-gw to peers on a shared link, vxlan to the others. */
  backend?: Backend;
  vxlan?: Partial<VxlanConfig>;
  /** Masquerade pod traffic leaving the pod network (default true). */
  masquerade?: boolean;
  /** Least time between syncs (default 50 ms). */
  minSyncPeriodMs?: number;
  /** Period of a full re-read of the node's links and a sync (default 30 s). */
  resyncPeriodMs?: number;
  /** Run the host tools in this network namespace (a name under /run/netns); tests. */
  netns?: string;
  exec?: Exec;
  log?: PodNetLog;
  onSync?: (e: { ok: boolean; error?: string; plan?: PodNetPlan }) => void;
}

export class PodNetworkController {
  private readonly exec: Exec;
  private readonly nodes: Informer<Node>;
  private readonly log: PodNetLog;
  private readonly vxlan: VxlanConfig;
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private last: PodNetPlan | undefined;
  private lastError: string | undefined;

  constructor(private readonly opts: PodNetworkOptions) {
    this.exec = opts.exec ?? hostExec(opts.netns);
    this.log = opts.log ?? (() => {});
    this.vxlan = { ...DEFAULT_VXLAN, ...opts.vxlan };
    this.nodes = new Informer<Node>({ client: opts.client, resource: resources.nodes, log: this.log });
  }

  async start(): Promise<void> {
    const mark = () => this.schedule();
    this.nodes.addEventHandler({ onAdd: mark, onUpdate: mark, onDelete: mark });
    this.nodes.start();
    await this.nodes.waitForSync();
    if (this.stopped) return;
    this.periodic = setInterval(() => this.schedule(), this.opts.resyncPeriodMs ?? 30_000);
    this.periodic.unref?.();
    await this.syncNow();
  }

  plan(): PodNetPlan | undefined {
    return this.last;
  }

  error(): string | undefined {
    return this.lastError;
  }

  async syncNow(): Promise<void> {
    while (this.running) await this.running;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.sync().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  async stop(opts: { keepRoutes?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.nodes.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
    await this.running;
    if (opts.keepRoutes) await removeTable(this.exec);
    else await removeAll(this.exec, this.vxlan.device);
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.syncNow();
    }, this.opts.minSyncPeriodMs ?? 50);
    this.timer.unref?.();
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const nodes = this.nodes.cache.list();
    const self = nodes.find((n) => n.metadata.name === this.opts.nodeName);
    const me = self ? peerFromNode(self) : undefined;
    const ip = this.opts.nodeIP ?? me?.ip;
    const podCidr = this.opts.podCidr ?? me?.podCidr;
    if (!ip || !podCidr) {
      this.lastError = `node ${this.opts.nodeName} has no ${ip ? 'podCIDR' : 'InternalIP'} yet`;
      this.opts.onSync?.({ ok: false, error: this.lastError });
      return;
    }
    try {
      const links = await localLinks(this.exec, [this.vxlan.device]);
      const plan = planPodNetwork({
        self: { name: this.opts.nodeName, ip, podCidr },
        nodes: nodes.map(peerFromNode),
        links,
        backend: this.opts.backend ?? 'auto',
        clusterCidr: this.opts.clusterCidr,
        serviceCidr: this.opts.serviceCidr,
        vxlan: this.vxlan,
      });
      await applyPlan(this.exec, plan, { masquerade: this.opts.masquerade ?? true, device: this.vxlan.device });
      for (const s of plan.skipped)
        if (!this.last?.skipped.some((x) => x.node === s.node)) this.log('peer not routed', s);
      this.last = plan;
      this.lastError = undefined;
      this.opts.onSync?.({ ok: true, plan });
    } catch (err) {
      this.lastError = String(err);
      this.log('pod network sync failed', { error: this.lastError });
      this.opts.onSync?.({ ok: false, error: this.lastError });
      // Retry soon: the next Node event or the period would too, but a transient failure should not wait.
      setTimeout(() => this.schedule(), 1000).unref?.();
    }
  }
}
