// SimulatedNodes: N fake nodes in one process, for tests and benchmarks. Registers Node objects,
// keeps their Leases fresh, reports Ready status, and plays kubelet for pods bound to them (Running
// and Ready after a delay, no containers; deleted for real once marked for deletion).
// Scale: one timer wheel (not a timer per node), renewals spread evenly over the period, and every
// write through one bounded pool on the client's keep-alive connections.

import {
  type ApiClient,
  type DelegatedAuth,
  delegatedAuth,
  Informer,
  isConflict,
  isNotFound,
  objectKey,
  resourcePath,
} from '../client/index.js';
import { hostAddress } from '../core/cidr.js';
import { resources } from '../core/resources.js';
import { rfc3339, rfc3339Micro } from '../core/time.js';
import type { KubeObject, Lease, Node, NodeCondition, Pod } from '../core/types.js';
import { LABEL_ARCH, LABEL_HOSTNAME, LABEL_OS, NODE_LEASE_NAMESPACE } from '../core/well-known.js';
import { type SimulatedUsage, SimulatedUsageMeter } from '../metrics/index.js';
import { type SimulatedMetricsEndpoint, startSimulatedMetricsEndpoint } from './metrics-endpoint.js';
import { simulatedNodeIP } from './node-address.js';

export interface SimulatedNodesOptions {
  /** The informers' client (pods and nodes of every simulated node). */
  client: ApiClient;
  /**
   * Each node's own client (its `system:node:<name>` certificate), for what that node writes: its Node, Lease,
   * status and its pods' status and deletion. Default `client` for everything.
   */
  clientFor?: (nodeName: string) => ApiClient;
  count: number;
  /** Node names are `${prefix}-${i}`. */
  prefix?: string;
  capacity?: { cpu?: string; memory?: string; pods?: string };
  labels?: Record<string, string>;
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  /** Node status report period: default 5 min, as upstream's kubelet reports an unchanged status. */
  statusUpdateMs?: number;
  /** Bound pod -> Running and Ready after this long. */
  podStartMs?: number;
  /** Pod with deletionTimestamp -> deleted (grace 0) after this long. */
  podDeleteMs?: number;
  /** Pods with restartPolicy Never/OnFailure exit 0 after this long (annotation simulated.tutti.io/run-ms overrides). */
  runToCompletionMs?: number;
  /** Most requests in flight at once. */
  concurrency?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
  /**
   * Serve /metrics/resource and /stats/summary on each node's InternalIP (`port` 0 = a free one), usage from
   * each pod's tutti.io/simulated-usage annotation, to callers the API server authenticates and authorizes
   * for nodes/metrics or nodes/stats (TokenReview and SubjectAccessReview through `client`, unless `auth`).
   * Off by default.
   */
  metrics?: { port?: number; nodeBase?: SimulatedUsage; auth?: DelegatedAuth };
}

export const RUN_MS_ANNOTATION = 'simulated.tutti.io/run-ms';
export const EXIT_CODE_ANNOTATION = 'simulated.tutti.io/exit-code';

interface SimNode {
  name: string;
  ip: string;
  lease?: Lease;
  podCidr?: string;
  nextPodHost: number;
  nextRenew: number;
  nextStatus: number;
  /** Heartbeats pause while false (tests: a node that dies). */
  alive: boolean;
}

export class SimulatedNodes {
  readonly nodes = new Map<string, SimNode>();
  private readonly client: ApiClient;
  private readonly clientFor: ((nodeName: string) => ApiClient) | undefined;
  private readonly opts: Required<
    Omit<SimulatedNodesOptions, 'client' | 'clientFor' | 'log' | 'labels' | 'capacity' | 'metrics'>
  > &
    Pick<SimulatedNodesOptions, 'labels' | 'capacity' | 'metrics'>;
  private metricsEndpoint: SimulatedMetricsEndpoint | undefined;
  /** The agent port the nodes advertise (their metrics endpoint's), once started with `metrics`. */
  agentPort: number | undefined;
  private readonly log: (message: string, fields: Record<string, unknown>) => void;
  private pods: Informer<Pod> | undefined;
  private nodeInformer: Informer<Node> | undefined;
  private wheel: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly podTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  /** Writes per kind, for benchmarks. */
  readonly stats = { leaseRenewals: 0, statusUpdates: 0, podsStarted: 0, podsDeleted: 0, errors: 0 };

  constructor(opts: SimulatedNodesOptions) {
    this.client = opts.client;
    this.clientFor = opts.clientFor;
    this.log = opts.log ?? (() => {});
    this.opts = {
      count: opts.count,
      prefix: opts.prefix ?? 'sim',
      capacity: opts.capacity,
      labels: opts.labels,
      leaseDurationSeconds: opts.leaseDurationSeconds ?? 40,
      leaseRenewMs: opts.leaseRenewMs ?? 10_000,
      statusUpdateMs: opts.statusUpdateMs ?? 300_000,
      podStartMs: opts.podStartMs ?? 1000,
      podDeleteMs: opts.podDeleteMs ?? 500,
      runToCompletionMs: opts.runToCompletionMs ?? 2000,
      concurrency: opts.concurrency ?? 32,
      metrics: opts.metrics,
    };
  }

  /** The client node `name` writes with. */
  private nodeClient(name: string | undefined): ApiClient {
    return (name && this.clientFor?.(name)) || this.client;
  }

  nodeName(i: number): string {
    return `${this.opts.prefix}-${i}`;
  }

  /** Registers every node and its lease, then starts heartbeats and the pod loop. */
  async start(): Promise<void> {
    const now = Date.now();
    const names: string[] = [];
    for (let i = 0; i < this.opts.count; i++) {
      const name = this.nodeName(i);
      names.push(name);
      // Spread first renewals over one period so 5,000 nodes do not renew in the same instant.
      const offset = (i / Math.max(1, this.opts.count)) * this.opts.leaseRenewMs;
      this.nodes.set(name, {
        name,
        ip: simulatedNodeIP(i),
        nextPodHost: 2,
        nextRenew: now + offset,
        nextStatus: now + (i / Math.max(1, this.opts.count)) * this.opts.statusUpdateMs,
        alive: true,
      });
    }
    this.pods = new Informer<Pod>({
      client: this.client,
      resource: resources.pods,
      log: this.log,
      indexers: { node: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) },
    });
    if (this.opts.metrics) {
      this.metricsEndpoint = await startSimulatedMetricsEndpoint({
        nodes: new Map([...this.nodes.values()].map((n) => [n.ip, n.name])),
        // One cache for all the nodes: room for a few callers' decisions per node, so thousands of nodes scraped
        // every period are not thousands of SubjectAccessReviews.
        auth: this.opts.metrics.auth ?? delegatedAuth(this.client, { maxEntries: 1024 + 4 * this.opts.count }),
        port: this.opts.metrics.port ?? 0,
        meter: new SimulatedUsageMeter(this.opts.metrics.nodeBase ? { nodeBase: this.opts.metrics.nodeBase } : {}),
        podsOf: (node) => this.pods?.byIndex('node', node) ?? [],
        log: this.log,
      });
      this.agentPort = this.metricsEndpoint.port;
    }
    await Promise.all(names.map((n) => this.pooled(() => this.register(this.nodes.get(n)!))));
    this.nodeInformer = new Informer<Node>({ client: this.client, resource: resources.nodes, log: this.log });
    const onNode = (n: Node) => {
      const sim = this.nodes.get(n.metadata.name ?? '');
      if (sim && n.spec?.podCIDR) sim.podCidr = n.spec.podCIDR;
    };
    this.nodeInformer.addEventHandler({ onAdd: onNode, onUpdate: (_o, n) => onNode(n) });
    this.pods.addEventHandler({ onAdd: (p) => this.onPod(p), onUpdate: (_o, p) => this.onPod(p) });
    this.nodeInformer.start();
    this.pods.start();
    this.wheel = setInterval(() => this.turn(), 100);
  }

  /** Stops or resumes a node's heartbeats (lease and status), to simulate a node going away. */
  setAlive(name: string, alive: boolean): void {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no simulated node ${name}`);
    n.alive = alive;
    if (alive) n.nextRenew = n.nextStatus = Date.now();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wheel) clearInterval(this.wheel);
    for (const t of this.podTimers.values()) clearTimeout(t);
    this.podTimers.clear();
    this.pods?.stop();
    this.nodeInformer?.stop();
    await this.metricsEndpoint?.stop();
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  }

  private nodeObject(n: SimNode): Node {
    const cap = {
      cpu: this.opts.capacity?.cpu ?? '4',
      memory: this.opts.capacity?.memory ?? '8Gi',
      pods: this.opts.capacity?.pods ?? '110',
      'ephemeral-storage': '100Gi',
    };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        labels: {
          [LABEL_HOSTNAME]: n.name,
          [LABEL_OS]: 'linux',
          [LABEL_ARCH]: 'amd64',
          'beta.kubernetes.io/os': 'linux',
          'beta.kubernetes.io/arch': 'amd64',
          'node.tutti.io/simulated': 'true',
          ...(this.opts.labels ?? {}),
        },
      },
      spec: {},
      status: {
        capacity: cap,
        allocatable: cap,
        addresses: [
          { type: 'InternalIP', address: n.ip },
          { type: 'Hostname', address: n.name },
        ],
        conditions: this.conditions(Date.now()),
        ...(this.agentPort ? { daemonEndpoints: { kubeletEndpoint: { Port: this.agentPort } } } : {}),
        nodeInfo: {
          kubeletVersion: 'v1.32.0-tutti-sim',
          kubeProxyVersion: 'v1.32.0-tutti-sim',
          containerRuntimeVersion: 'simulated://1.0',
          operatingSystem: 'linux',
          architecture: 'amd64',
          osImage: 'Tutti simulated node',
          kernelVersion: 'sim',
          machineID: n.name,
          systemUUID: n.name,
          bootID: n.name,
        },
      },
    };
  }

  private conditions(now: number): NodeCondition[] {
    const t = rfc3339(now);
    const c = (type: string, status: string, reason: string, message: string): NodeCondition => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: t,
      lastTransitionTime: t,
    });
    return [
      c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ];
  }

  private async register(n: SimNode): Promise<void> {
    const body = this.nodeObject(n);
    let node: Node;
    try {
      node = await this.nodeClient(n.name).create<Node>(resourcePath(resources.nodes), body);
    } catch (err) {
      if (!isConflict(err) && !(err instanceof Error && /already exists/i.test(err.message))) throw err;
      node = await this.nodeClient(n.name).get<Node>(resourcePath(resources.nodes, { name: n.name }));
    }
    if (node.spec?.podCIDR) n.podCidr = node.spec.podCIDR;
    // Status is a subresource: create ignores it, as for a real kubelet.
    await this.nodeClient(n.name).patch(
      resourcePath(resources.nodes, { name: n.name, subresource: 'status' }),
      { status: body.status },
      'merge',
    );
    await this.renewLease(n);
  }

  private async renewLease(n: SimNode): Promise<void> {
    const now = rfc3339Micro(Date.now());
    const spec = { holderIdentity: n.name, leaseDurationSeconds: this.opts.leaseDurationSeconds, renewTime: now };
    const path = resourcePath(resources.leases, { namespace: NODE_LEASE_NAMESPACE, name: n.name });
    try {
      if (n.lease) {
        n.lease = await this.nodeClient(n.name).update<Lease>(path, { ...n.lease, spec: { ...n.lease.spec, ...spec } });
      } else {
        n.lease = await this.nodeClient(n.name).create<Lease>(
          resourcePath(resources.leases, { namespace: NODE_LEASE_NAMESPACE }),
          {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: n.name, namespace: NODE_LEASE_NAMESPACE, ownerReferences: [] },
            spec: { ...spec, acquireTime: now },
          },
        );
      }
      this.stats.leaseRenewals++;
    } catch (err) {
      // Someone else wrote it (or it exists from a previous run): read it and renew next turn.
      if (isConflict(err) || isNotFound(err) || /already exists/i.test(String(err))) {
        try {
          n.lease = await this.nodeClient(n.name).get<Lease>(path);
        } catch {
          n.lease = undefined;
        }
        n.nextRenew = Date.now();
        return;
      }
      throw err;
    }
  }

  private async postStatus(n: SimNode): Promise<void> {
    await this.nodeClient(n.name).patch(
      resourcePath(resources.nodes, { name: n.name, subresource: 'status' }),
      { status: { conditions: this.conditions(Date.now()) } },
      // Strategic: conditions merge by type, so others' (NetworkUnavailable from node IPAM) stay, as the kubelet's.
      'strategic',
    );
    this.stats.statusUpdates++;
  }

  /** One tick of the wheel: renew what is due, post status that is due. */
  private turn(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const n of this.nodes.values()) {
      if (!n.alive) continue;
      if (n.nextRenew <= now) {
        n.nextRenew = now + this.opts.leaseRenewMs;
        void this.pooled(() => this.renewLease(n));
      }
      if (n.nextStatus <= now) {
        n.nextStatus = now + this.opts.statusUpdateMs;
        void this.pooled(() => this.postStatus(n));
      }
    }
  }

  private onPod(pod: Pod): void {
    const node = this.nodes.get(pod.spec?.nodeName ?? '');
    if (!node || this.stopped) return;
    const base = `${objectKey(pod.metadata)}@${pod.metadata.uid}`;
    const phase = pod.status?.phase;
    let kind: 'delete' | 'start' | 'finish';
    let delay: number;
    let action: () => Promise<void>;
    if (pod.metadata.deletionTimestamp) {
      kind = 'delete';
      delay = this.opts.podDeleteMs;
      action = () => this.deletePod(pod);
      // Deletion wins over a pending start or finish.
      for (const other of ['start', 'finish']) {
        const t = this.podTimers.get(`${base}:${other}`);
        if (t) clearTimeout(t);
        this.podTimers.delete(`${base}:${other}`);
      }
    } else if (phase === 'Pending' || phase === undefined) {
      kind = 'start';
      delay = this.opts.podStartMs;
      action = () => this.startPod(node, pod);
    } else if (
      phase === 'Running' &&
      pod.spec?.restartPolicy !== 'Always' &&
      runMs(pod, this.opts.runToCompletionMs) >= 0
    ) {
      kind = 'finish';
      delay = runMs(pod, this.opts.runToCompletionMs);
      action = () => this.finishPod(pod);
    } else {
      return;
    }
    const key = `${base}:${kind}`;
    if (this.podTimers.has(key)) return;
    const t = setTimeout(() => {
      void this.pooled(action).finally(() => {
        if (this.podTimers.get(key) === t) this.podTimers.delete(key);
      });
    }, delay);
    this.podTimers.set(key, t);
  }

  private async startPod(node: SimNode, pod: Pod): Promise<void> {
    const current = this.pods?.get(objectKey(pod.metadata));
    if (
      !current ||
      current.metadata.uid !== pod.metadata.uid ||
      current.metadata.deletionTimestamp ||
      current.status?.phase === 'Running'
    )
      return;
    if (!node.podCidr) {
      // No CIDR yet (node IPAM not done): try again shortly.
      this.podTimers.delete(`${objectKey(pod.metadata)}@${pod.metadata.uid}:start`);
      setTimeout(() => this.onPod(current), 500);
      return;
    }
    const ip = hostAddress(node.podCidr, node.nextPodHost);
    node.nextPodHost = node.nextPodHost >= 253 ? 2 : node.nextPodHost + 1;
    const t = rfc3339(Date.now());
    const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t });
    const status = {
      phase: 'Running',
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: t,
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
      containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: `sim://${c.image ?? ''}`,
        containerID: `sim://${pod.metadata.uid}-${c.name}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: t } },
        lastState: {},
      })),
    };
    await this.writePodStatus(current, status);
    this.stats.podsStarted++;
  }

  private async finishPod(pod: Pod): Promise<void> {
    const current = this.pods?.get(objectKey(pod.metadata));
    if (
      !current ||
      current.metadata.uid !== pod.metadata.uid ||
      current.metadata.deletionTimestamp ||
      current.status?.phase !== 'Running'
    )
      return;
    const code = Number(current.metadata.annotations?.[EXIT_CODE_ANNOTATION] ?? 0);
    const t = rfc3339(Date.now());
    const status = {
      ...current.status,
      phase: code === 0 ? 'Succeeded' : 'Failed',
      conditions: (current.status?.conditions ?? []).map((c) =>
        c.type === 'Ready' || c.type === 'ContainersReady'
          ? { ...c, status: 'False', reason: 'PodCompleted', lastTransitionTime: t }
          : c,
      ),
      containerStatuses: (current.status?.containerStatuses ?? []).map((cs) => ({
        ...cs,
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode: code,
            reason: code === 0 ? 'Completed' : 'Error',
            startedAt: t,
            finishedAt: t,
            containerID: cs.containerID,
          },
        },
      })),
    };
    await this.writePodStatus(current, status);
  }

  private async writePodStatus(pod: Pod, status: Record<string, unknown>): Promise<void> {
    const path = resourcePath(resources.pods, {
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      subresource: 'status',
    });
    try {
      await this.nodeClient(pod.spec?.nodeName).patch<KubeObject>(path, { status }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async deletePod(pod: Pod): Promise<void> {
    try {
      await this.nodeClient(pod.spec?.nodeName).delete(
        resourcePath(resources.pods, { namespace: pod.metadata.namespace, name: pod.metadata.name }),
        {
          gracePeriodSeconds: 0,
          preconditions: { uid: pod.metadata.uid },
        },
      );
      this.stats.podsDeleted++;
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Runs op when fewer than `concurrency` requests are in flight; failures are counted and logged. */
  private async pooled(op: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.opts.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      await op();
    } catch (err) {
      this.stats.errors++;
      this.log('simulated node: request failed', { error: String(err) });
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }
}

function runMs(pod: Pod, fallback: number): number {
  const v = pod.metadata.annotations?.[RUN_MS_ANNOTATION];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : fallback;
}
