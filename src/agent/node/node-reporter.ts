// Keeps this node's presence in the API: registers the Node, renews its Lease in kube-node-lease every 10 s,
// posts node status when it changes or every 5 min (upstream's nodeStatusUpdateFrequency and
// nodeStatusReportFrequency), and waits for spec.podCIDR (falling back to one from the node's index).
import { type ApiClient, isAlreadyExists, isNotFound, resourcePath } from '../../client/index.js';
import { resources } from '../../core/resources.js';
import { rfc3339Micro } from '../../core/time.js';
import type { Lease, Node } from '../../core/types.js';
import { NODE_LEASE_NAMESPACE } from '../../core/well-known.js';
import { fallbackPodCidr, type NodeFacts, nodeObject, nodeStatus } from './node-object.js';

export interface NodeReporterOptions {
  client: ApiClient;
  name: string;
  facts(): Promise<NodeFacts>;
  log: (message: string, fields: Record<string, unknown>) => void;
  leaseIntervalMs?: number;
  /** How often the status is computed (default 10 s); it is posted only when it changed, or after `statusReportMs`. */
  statusIntervalMs?: number;
  /** An unchanged status is posted again after this long (default 5 min), as a heartbeat besides the Lease. */
  statusReportMs?: number;
  /** Annotations this agent owns on its Node (e.g. the CA of its HTTPS endpoint), written at registration. */
  annotations?: Record<string, string>;
}

const LEASE_DURATION_SECONDS = 40;

export class NodeReporter {
  private leaseTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private lastStatus: Node['status'];
  /** What was last posted (heartbeat times left out) and when. */
  private lastReport: { key: string; at: number } | undefined;
  private stopped = false;
  private nodeUid = '';

  constructor(private readonly opts: NodeReporterOptions) {}

  private get nodePath(): string {
    return `/api/v1/nodes/${this.opts.name}`;
  }

  async register(): Promise<Node> {
    const facts = await this.opts.facts();
    const desired = nodeObject(facts, Date.now());
    desired.metadata.annotations = { ...desired.metadata.annotations, ...this.opts.annotations };
    let node: Node;
    try {
      node = await this.opts.client.create<Node>('/api/v1/nodes', desired);
      // Status is reset on create for most kinds; write it explicitly.
      node = await this.opts.client.patch<Node>(`${this.nodePath}/status`, { status: desired.status }, 'strategic');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.opts.client.patch<Node>(
        this.nodePath,
        { metadata: { labels: desired.metadata.labels, annotations: desired.metadata.annotations } },
        'merge',
      );
      const existing = await this.opts.client.get<Node>(this.nodePath);
      const status = nodeStatus(facts, Date.now(), existing.status);
      node = await this.opts.client.patch<Node>(`${this.nodePath}/status`, { status }, 'strategic');
    }
    this.lastStatus = node.status;
    this.lastReport = undefined;
    this.nodeUid = node.metadata.uid ?? '';
    return node;
  }

  start(): void {
    const leaseEvery = this.opts.leaseIntervalMs ?? 10_000;
    const statusEvery = this.opts.statusIntervalMs ?? 10_000;
    const leaseLoop = async () => {
      await this.renewLease().catch((err) =>
        this.opts.log('lease renewal failed', { node: this.opts.name, error: String(err) }),
      );
      if (!this.stopped) this.leaseTimer = setTimeout(leaseLoop, leaseEvery);
    };
    const statusLoop = async () => {
      await this.updateStatus().catch((err) =>
        this.opts.log('node status update failed', { node: this.opts.name, error: String(err) }),
      );
      if (!this.stopped) this.statusTimer = setTimeout(statusLoop, statusEvery);
    };
    void leaseLoop();
    this.statusTimer = setTimeout(statusLoop, statusEvery);
  }

  stop(): void {
    this.stopped = true;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    if (this.statusTimer) clearTimeout(this.statusTimer);
  }

  /** Posts the node's status if it changed since the last post, or that post is `statusReportMs` old (or `force`). */
  async updateStatus(force = false): Promise<void> {
    const now = Date.now();
    const status = nodeStatus(await this.opts.facts(), now, this.lastStatus);
    const key = statusKey(status);
    const last = this.lastReport;
    if (!force && last && last.key === key && now - last.at < (this.opts.statusReportMs ?? 300_000)) return;
    try {
      const node = await this.opts.client.patch<Node>(`${this.nodePath}/status`, { status }, 'strategic');
      this.lastStatus = node.status;
      this.lastReport = { key, at: now };
    } catch (err) {
      // A deleted Node is registered again, as the kubelet does.
      if (!isNotFound(err)) throw err;
      await this.register();
    }
  }

  async renewLease(): Promise<void> {
    const path = resourcePath(resources.leases, { namespace: NODE_LEASE_NAMESPACE, name: this.opts.name });
    const spec = {
      holderIdentity: this.opts.name,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: rfc3339Micro(Date.now()),
    };
    try {
      await this.opts.client.patch<Lease>(path, { spec }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: {
          name: this.opts.name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: this.nodeUid
            ? [{ apiVersion: 'v1', kind: 'Node', name: this.opts.name, uid: this.nodeUid }]
            : undefined,
        },
        spec,
      };
      try {
        await this.opts.client.create(resourcePath(resources.leases, { namespace: NODE_LEASE_NAMESPACE }), lease);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }

  /**
   * spec.podCIDR once the node IPAM controller set it; after timeoutMs, a CIDR from this node's index among
   * the registered nodes (sorted by name) so a single node works without the controller.
   */
  async waitForPodCidr(timeoutMs: number): Promise<{ cidr: string; assigned: boolean }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const node = await this.opts.client.get<Node>(this.nodePath);
      const cidr = node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0];
      if (cidr) return { cidr, assigned: true };
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const nodes = await this.opts.client.list<Node>('/api/v1/nodes');
    const names = nodes.items.map((n) => n.metadata.name ?? '').sort();
    return { cidr: fallbackPodCidr(names.indexOf(this.opts.name)), assigned: false };
  }
}

/** The status as upstream's nodeStatusHasChanged compares it: everything but the conditions' heartbeat times. */
export function statusKey(status: Node['status']): string {
  const conditions = status?.conditions?.map(({ lastHeartbeatTime: _, ...rest }) => rest);
  return JSON.stringify({ ...status, conditions });
}
