// The cluster autoscaler's loop (upstream StaticAutoscaler.RunOnce), started by the controller manager
// behind its leader election. Every scan interval, and soon after a pod becomes unschedulable:
//   read node groups (ConfigMap) -> list each provider's machines -> remove machines not Ready within
//   max-node-provision-time (group backs off) -> planScaleUp (pending pods, simulation with the
//   scheduler's filters) -> create nodes, events -> planScaleDown -> taint, evict, delete through the
//   provider -> write the status ConfigMap.
// Creations and removals run in the background; the next pass sees them as upcoming or being deleted.

import { Informer, isNotFound, resourcePath, type TimerHandle } from '../client/index.js';
import { randomSuffix } from '../core/names.js';
import { isPodTerminal } from '../core/pods.js';
import { isReadyForAutoscaling } from './readiness.js';
import { resources } from '../core/resources.js';
import type { ConfigMap, Node, Pod, PodDisruptionBudget } from '../core/types.js';
import type { ControllerContext, RunningController } from '../controllers/context.js';
import { evictPod } from './actuation/evict.js';
import { addToBeDeletedTaint, hasToBeDeletedTaint, removeToBeDeletedTaint } from './actuation/taint.js';
import { GroupBackoff } from './group-backoff.js';
import { countNodes, type Instance, Instances, isUpcoming } from './instances.js';
import { type NodeGroup, parseNodeGroups } from './node-groups.js';
import { type ClusterAutoscalerOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { isProviderConfig, providerFromConfig } from './providers/config.js';
import type { NodeProvider } from './providers/provider.js';
import { isDaemonSetPod, isMirrorPod } from './scaledown/drainability.js';
import { type NodeRemoval, planScaleDown } from './scaledown/plan.js';
import { newExpander } from './scaleup/expander.js';
import { isUnschedulable, pendingForScaleUp } from './scaleup/pending.js';
import {
  type GroupForScaleUp,
  minSizeIncreases,
  planScaleUp,
  REASON_BACKOFF,
  type ScaleUpIncrease,
  triggeredMessage,
} from './scaleup/plan.js';
import { ClusterSimulation } from './simulation/cluster.js';
import { FitChecker } from './simulation/fit.js';
import { type GroupObservation, renderStatus, StatusClock, statusObject } from './status.js';
import { nodeObjectFor, templateFromNode, templateNode } from './template.js';
import {
  NODE_GROUPS_CONFIGMAP,
  NODE_GROUPS_NAMESPACE,
  REASON_FAILED_TO_SCALE_UP_GROUP,
  REASON_NOT_TRIGGER_SCALE_UP,
  REASON_SCALE_DOWN,
  REASON_SCALE_DOWN_EMPTY,
  REASON_SCALE_DOWN_FAILED,
  REASON_SCALED_UP_GROUP,
  REASON_TRIGGERED_SCALE_UP,
  STATUS_CONFIGMAP,
  STATUS_LAST_UPDATED_ANNOTATION,
  STATUS_NAMESPACE,
} from './well-known.js';

export const COMPONENT = 'cluster-autoscaler';

/** Counters and gauges with upstream's metric meanings, for a Prometheus exporter to publish. */
export interface AutoscalerMetrics {
  /** cluster_autoscaler_scaled_up_nodes_total */
  scaledUpNodes: number;
  /** cluster_autoscaler_scaled_down_nodes_total */
  scaledDownNodes: number;
  /** cluster_autoscaler_failed_scale_ups_total */
  failedScaleUps: number;
  /** cluster_autoscaler_unschedulable_pods_count */
  unschedulablePods: number;
  /** cluster_autoscaler_unneeded_nodes_count */
  unneededNodes: number;
  /** cluster_autoscaler_node_groups_count */
  nodeGroups: number;
  /** cluster_autoscaler_last_activity (main loop), ms since the epoch */
  lastLoopAt: number;
  /** Duration of the last pass and of its scale-up decision (cluster_autoscaler_function_duration_seconds). */
  lastLoopMs: number;
  lastScaleUpDecisionMs: number;
  loops: number;
}

export interface ClusterAutoscaler extends RunningController {
  readonly metrics: AutoscalerMetrics;
  /** One pass now (tests); resolves when it is done. */
  runOnce(): Promise<void>;
  /** Settles when every creation and removal started so far has finished (tests). */
  idle(): Promise<void>;
}

interface GroupView {
  group: NodeGroup;
  provider?: NodeProvider;
  /** Why the group is not managed this pass (no provider, listing failed). */
  unhealthy?: string;
}

export function startClusterAutoscaler(ctx: ControllerContext, options: ClusterAutoscalerOptions): ClusterAutoscaler {
  return new Autoscaler(ctx, resolveOptions(options)).start();
}

class Autoscaler {
  private readonly client;
  private readonly clock;
  private readonly recorder;
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  private readonly pdbs: Informer<PodDisruptionBudget>;
  private readonly config: Informer<ConfigMap>;
  private readonly instances = new Instances();
  private readonly backoff: GroupBackoff;
  private readonly checker = new FitChecker();
  private readonly statusClock = new StatusClock();
  private readonly expander;
  private readonly work = new Set<Promise<void>>();
  /** Removals in flight by node name; `drain` when pods had to be moved off first. */
  private readonly removing = new Map<string, { drain: boolean }>();
  private readonly listErrors = new Map<string, string>();
  private readonly notTriggeredSent = new Map<string, { message: string; at: number }>();
  private unneededSince = new Map<string, number>();
  private lastScaleUpAt = Number.NEGATIVE_INFINITY;
  private lastDeleteAt = Number.NEGATIVE_INFINITY;
  private lastDeleteFailAt = Number.NEGATIVE_INFINITY;
  private statusCm: ConfigMap | undefined;
  private firstPass = true;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running: Promise<void> | undefined;
  private again = false;
  private synced = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly providers: Record<string, NodeProvider> = {};
  /** Providers made here from configs: closed on stop. */
  private readonly ownProviders: NodeProvider[] = [];
  private lastStatus: { key: string; at: number } | undefined;
  readonly metrics: AutoscalerMetrics = {
    scaledUpNodes: 0,
    scaledDownNodes: 0,
    failedScaleUps: 0,
    unschedulablePods: 0,
    unneededNodes: 0,
    nodeGroups: 0,
    lastLoopAt: 0,
    lastLoopMs: 0,
    lastScaleUpDecisionMs: 0,
    loops: 0,
  };

  constructor(
    private readonly ctx: ControllerContext,
    private readonly o: ResolvedOptions,
  ) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.recorder = ctx.recorder(COMPONENT);
    this.backoff = new GroupBackoff(o.backoff);
    this.expander = newExpander(o.expander, o.random);
    for (const [name, p] of Object.entries(o.providers)) {
      if (isProviderConfig(p)) {
        const made = providerFromConfig(p, ctx.client);
        this.ownProviders.push(made);
        this.providers[name] = made;
      } else this.providers[name] = p;
    }
    this.nodes = ctx.informers.forResource<Node>(resources.nodes);
    this.pods = ctx.informers.forResource<Pod>(resources.pods);
    this.pdbs = ctx.informers.forResource<PodDisruptionBudget>(resources.poddisruptionbudgets);
    // One ConfigMap in one namespace: a private informer rather than every ConfigMap of the cluster.
    this.config = new Informer<ConfigMap>({
      client: ctx.client,
      resource: resources.configmaps,
      namespace: NODE_GROUPS_NAMESPACE,
      fieldSelector: `metadata.name=${NODE_GROUPS_CONFIGMAP}`,
      log: ctx.log,
    });
  }

  start(): ClusterAutoscaler {
    this.pods.addEventHandler({
      onAdd: (p) => {
        if (isUnschedulable(p)) this.soon();
      },
      onUpdate: (old, p) => {
        if (isUnschedulable(p) && !isUnschedulable(old)) this.soon();
      },
    });
    this.config.addEventHandler({ onAdd: () => this.soon(), onUpdate: () => this.soon() });
    this.config.start();
    void (async () => {
      for (const inf of [this.nodes, this.pods, this.pdbs, this.config]) {
        if (!(await inf.waitForSync(this.abort.signal))) return;
      }
      this.synced = true;
      this.schedule(0);
    })();
    return {
      name: COMPONENT,
      metrics: this.metrics,
      runOnce: () => this.runNow(),
      idle: () => this.idle(),
      stop: () => this.stop(),
    };
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.timer?.cancel();
    this.config.stop();
    await this.running;
    await Promise.allSettled([...this.work]);
    await Promise.allSettled(this.ownProviders.map((p) => p.close?.()));
  }

  private async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** A pass after the react delay (a burst of unschedulable pods makes one pass). */
  private soon(): void {
    if (this.running) this.again = true;
    else this.schedule(this.o.reactDelayMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const at = this.clock.now() + ms;
    if (at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.clock.setTimer(ms, () => {
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.runNow();
    });
  }

  private async runNow(): Promise<void> {
    // No decision on half-filled caches (a budget or a node not seen yet); the first pass follows the sync.
    if (!this.synced) return;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.timer?.cancel();
    this.timerAt = Number.POSITIVE_INFINITY;
    this.running = this.pass()
      .catch((err) => this.ctx.log('cluster-autoscaler pass failed', { error: String(err) }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule(this.o.reactDelayMs);
        } else this.schedule(this.o.scanIntervalMs);
      });
    return this.running;
  }

  /** Runs a background operation, tracked so stop() and idle() can wait for it. */
  private track(p: Promise<void>): void {
    const t = p.catch((err) => this.ctx.log('cluster-autoscaler operation failed', { error: String(err) }));
    this.work.add(t);
    void t.finally(() => this.work.delete(t));
  }

  private timeout(ms: number): AbortSignal {
    return AbortSignal.any([this.abort.signal, AbortSignal.timeout(ms)]);
  }

  private async pass(): Promise<void> {
    const started = performance.now();
    const now = this.clock.now();
    const parsed = parseNodeGroups(this.config.get(`${NODE_GROUPS_NAMESPACE}/${NODE_GROUPS_CONFIGMAP}`)?.data);
    const nodes = new Map(this.nodes.list().map((n) => [n.metadata.name!, n]));
    const views = await this.refreshGroups(parsed.groups, nodes, now);
    if (this.firstPass) {
      this.firstPass = false;
      await this.cleanStaleTaints(nodes);
    }
    this.removeUnprovisioned(views, nodes, now);

    const pods = this.pods.list().filter((p) => !isPodTerminal(p));
    const healthy = views.filter((v) => !v.unhealthy);
    const decisionStart = performance.now();
    const podsOnTheirWay = this.scaleUp(healthy, nodes, pods, now);
    this.metrics.lastScaleUpDecisionMs = performance.now() - decisionStart;
    this.scaleDown(healthy, nodes, pods, now, podsOnTheirWay);
    await this.writeStatus(views, parsed.errors, nodes, now);

    this.metrics.nodeGroups = parsed.groups.length;
    this.metrics.loops++;
    this.metrics.lastLoopAt = now;
    this.metrics.lastLoopMs = performance.now() - started;
  }

  /** Each group's provider and machines; a group whose provider is missing or failing is left alone. */
  private async refreshGroups(groups: NodeGroup[], nodes: Map<string, Node>, now: number): Promise<GroupView[]> {
    return Promise.all(
      groups.map(async (group): Promise<GroupView> => {
        const provider = this.providers[group.provider];
        if (!provider) return { group, unhealthy: `provider "${group.provider}" is not configured` };
        try {
          const listed = await provider.listNodes(group.name, this.timeout(this.o.nodeListTimeoutMs));
          this.listErrors.delete(group.name);
          for (const gone of this.instances.reconcile(group.name, listed, nodes, now)) {
            // The machine is gone: so is its node.
            if (nodes.has(gone.name)) this.track(this.deleteNodeObject(gone.name));
          }
          return { group, provider };
        } catch (err) {
          const message = `listing nodes failed: ${(err as Error).message}`;
          if (this.listErrors.get(group.name) !== message) {
            this.ctx.log('cluster-autoscaler: provider list failed', { group: group.name, error: message });
          }
          this.listErrors.set(group.name, message);
          return { group, provider, unhealthy: message };
        }
      }),
    );
  }

  /** Upstream removes its taint from every node on start: removals in flight died with the last leader. */
  private async cleanStaleTaints(nodes: Map<string, Node>): Promise<void> {
    for (const n of nodes.values()) {
      if (hasToBeDeletedTaint(n) && !this.removing.has(n.metadata.name!)) {
        await removeToBeDeletedTaint(this.client, n.metadata.name!).catch(() => {});
      }
    }
  }

  /**
   * Machines not Ready within max-node-provision-time are removed, and their group backs off; removals
   * that failed earlier are tried again.
   */
  private removeUnprovisioned(views: GroupView[], nodes: Map<string, Node>, now: number): void {
    for (const v of views) {
      if (!v.provider) continue;
      for (const i of this.instances.ofGroup(v.group.name)) {
        const node = nodes.get(i.name);
        if (this.removing.has(i.name)) continue;
        if (i.phase === 'deleting') {
          this.startRemoval(i, v.provider, false, () => this.removeMachine(i, v.provider!));
          continue;
        }
        if (node && isReadyForAutoscaling(node)) {
          // A new node came up: the group works again (upstream clears the back-off on registration).
          if (!i.wasReady) this.backoff.clear(v.group.name);
          i.wasReady = true;
          continue;
        }
        // A node that was Ready and went away is the scale-down's business (unready time), not a failed scale-up.
        if (i.wasReady || now - i.requestedAt < this.o.maxNodeProvisionTimeMs) continue;
        const why = node
          ? `node ${i.name} registered but was not Ready within ${this.o.maxNodeProvisionTimeMs / 1000}s`
          : `node ${i.name} did not register within ${this.o.maxNodeProvisionTimeMs / 1000}s`;
        this.failScaleUp(v.group, 'timeout', why, now);
        this.startRemoval(i, v.provider, false, () => this.removeMachine(i, v.provider!));
      }
    }
  }

  private failScaleUp(group: NodeGroup, errorCode: string, message: string, now: number): void {
    const b = this.backoff.fail(group.name, now, errorCode, message);
    this.metrics.failedScaleUps++;
    this.ctx.log('cluster-autoscaler: scale-up failed, backing off', {
      group: group.name,
      errorCode,
      error: message,
      backoffMs: b.until - now,
    });
    this.statusEvent('Warning', REASON_FAILED_TO_SCALE_UP_GROUP, `Scale-up failed for group ${group.name}: ${message}`);
  }

  // ---- scale-up

  /** Returns how many pending pods fit nodes that exist or are coming (the scheduler will place them). */
  private scaleUp(views: GroupView[], nodes: Map<string, Node>, pods: Pod[], now: number): number {
    const pending = pendingForScaleUp(pods, now, this.o.newPodScaleUpDelayMs);
    this.metrics.unschedulablePods = pending.ready.length;
    if (pending.nextAt !== undefined) this.schedule(pending.nextAt - now);
    const groups = views.map((v) => this.scaleUpView(v, nodes, now));
    if (this.o.enforceNodeGroupMinSize) {
      for (const inc of minSizeIncreases(groups)) {
        this.increase(views.find((v) => v.group === inc.group)!, inc, now);
        groups.find((x) => x.group === inc.group)!.targetSize = inc.to;
      }
    }
    if (pending.ready.length === 0) return 0;
    const plan = planScaleUp({
      pending: pending.ready,
      sim: this.upcomingSimulation(groups, nodes, pods),
      groups,
      expander: this.expander,
      checker: this.checker,
      maxNodesTotal: this.o.maxNodesTotal,
      nodesTotal: nodes.size + this.instances.all().filter((i) => !nodes.has(i.name)).length,
      maxNodesPerScaleUp: this.o.maxNodesPerScaleUp,
    });
    for (const inc of plan.increases) {
      this.increase(views.find((v) => v.group === inc.group)!, inc, now);
      for (const p of inc.pods) void this.recorder.event(p, 'Normal', REASON_TRIGGERED_SCALE_UP, triggeredMessage(inc));
    }
    for (const { pod, message } of plan.notTriggered) this.notTriggered(pod, message, now);
    // Forget pods that no longer wait, so the map does not grow.
    const waiting = new Set(pending.ready.map((p) => p.metadata.uid));
    for (const uid of this.notTriggeredSent.keys()) if (!waiting.has(uid)) this.notTriggeredSent.delete(uid);
    return plan.schedulable.length;
  }

  private scaleUpView(v: GroupView, nodes: Map<string, Node>, now: number): GroupForScaleUp {
    const ready = this.instances
      .ofGroup(v.group.name)
      .map((i) => nodes.get(i.name))
      .find((n): n is Node => !!n && isReadyForAutoscaling(n) && !hasToBeDeletedTaint(n));
    const backoff = this.backoff.active(v.group.name, now);
    return {
      group: v.group,
      template: ready ? templateFromNode(ready) : v.group.template,
      targetSize: this.instances.targetSize(v.group.name),
      ...(backoff ? { blocked: REASON_BACKOFF } : {}),
    };
  }

  /** Ready nodes and their pods, plus a template node for each machine still coming up. */
  private upcomingSimulation(groups: GroupForScaleUp[], nodes: Map<string, Node>, pods: Pod[]): ClusterSimulation {
    const sim = ClusterSimulation.of(this.schedulableNodes(nodes), pods);
    for (const g of groups) {
      const upcoming = this.instances.ofGroup(g.group.name).filter((i) => isUpcoming(i, nodes)).length;
      for (let k = 0; k < upcoming; k++) {
        sim.addNode(templateNode(g.group, `upcoming-${g.group.name}-${k}`, g.template));
      }
    }
    return sim;
  }

  /** Nodes pods can be placed on: Ready, not being removed. */
  private schedulableNodes(nodes: Map<string, Node>): Node[] {
    return [...nodes.values()].filter(
      (n) =>
        isReadyForAutoscaling(n) &&
        !hasToBeDeletedTaint(n) &&
        !n.metadata.deletionTimestamp &&
        !this.removing.has(n.metadata.name!),
    );
  }

  private increase(v: GroupView, inc: ScaleUpIncrease, now: number): void {
    const provider = v.provider!;
    this.lastScaleUpAt = now;
    this.metrics.scaledUpNodes += inc.to - inc.from;
    this.ctx.log('cluster-autoscaler: scale-up', {
      group: v.group.name,
      from: inc.from,
      to: inc.to,
      pods: inc.pods.length,
    });
    this.statusEvent(
      'Normal',
      REASON_SCALED_UP_GROUP,
      `Scale-up: setting group ${v.group.name} size to ${inc.to} instead of ${inc.from} (max: ${v.group.maxSize})`,
    );
    for (let k = inc.from; k < inc.to; k++) this.createMachine(v.group, provider, now);
  }

  private createMachine(group: NodeGroup, provider: NodeProvider, now: number): void {
    const name = this.newNodeName(group.name);
    const inst: Instance = { name, group: group.name, phase: 'creating', requestedAt: now };
    this.instances.add(inst);
    const signal = this.timeout(this.o.nodeCreateTimeoutMs);
    const creating = provider
      .createNode({ name, group: group.name, template: group.template, node: nodeObjectFor(group, name) }, signal)
      .then(
        () => {
          if (inst.phase === 'creating') inst.phase = 'running';
        },
        (err: unknown) => {
          inst.creating = undefined;
          // Stopping, or already being removed (the provision timeout): nothing more to do here.
          if (this.stopped || this.removing.has(name)) return;
          const code = signal.aborted ? 'timeout' : 'providerError';
          this.failScaleUp(
            group,
            code,
            `creating node ${name}: ${(err as Error).message ?? String(err)}`,
            this.clock.now(),
          );
          this.startRemoval(inst, provider, false, () => this.removeMachine(inst, provider));
        },
      );
    inst.creating = creating;
    this.track(creating);
  }

  private newNodeName(group: string): string {
    for (;;) {
      const name = `${group}-${randomSuffix(5, this.o.random)}`;
      if (!this.instances.has(name) && !this.nodes.get(name)) return name;
    }
  }

  private notTriggered(pod: Pod, message: string, now: number): void {
    const uid = pod.metadata.uid ?? '';
    const last = this.notTriggeredSent.get(uid);
    if (last && last.message === message && now - last.at < this.o.notTriggeredEventIntervalMs) return;
    this.notTriggeredSent.set(uid, { message, at: now });
    void this.recorder.event(pod, 'Normal', REASON_NOT_TRIGGER_SCALE_UP, message);
  }

  // ---- scale-down

  private scaleDown(
    views: GroupView[],
    nodes: Map<string, Node>,
    pods: Pod[],
    now: number,
    podsOnTheirWay: number,
  ): void {
    const sd = this.o.scaleDown;
    if (!sd.enabled) return;
    const podsByNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n) podsByNode.set(n, [...(podsByNode.get(n) ?? []), p]);
    }
    const candidates = [];
    const groupSizes = new Map<string, number>();
    for (const v of views) {
      groupSizes.set(v.group.name, this.instances.targetSize(v.group.name));
      for (const i of this.instances.ofGroup(v.group.name)) {
        const node = nodes.get(i.name);
        if (node && i.phase === 'running')
          candidates.push({ node, group: v.group, pods: podsByNode.get(i.name) ?? [] });
      }
    }
    const plan = planScaleDown({
      now,
      candidates,
      sim: ClusterSimulation.of(this.schedulableNodes(nodes), pods),
      pdbs: this.pdbs.list(),
      groupSizes,
      unneededSince: this.unneededSince,
      beingDeleted: new Set(this.removing.keys()),
      drainsInProgress: [...this.removing.values()].filter((r) => r.drain).length,
      options: sd,
      checker: this.checker,
    });
    this.unneededSince = plan.unneededSince;
    this.metrics.unneededNodes = plan.unneededSince.size;
    const scalingUp = this.instances.all().some((i) => isUpcoming(i, nodes));
    // As upstream ("Schedulable pods present"): pending pods that fit a node, maybe the empty one that
    // just came up for them, wait for the scheduler (its back-off reaches 10 s) before any node goes.
    if (podsOnTheirWay > 0) return;
    const cooling =
      now < this.lastScaleUpAt + sd.delayAfterAddMs ||
      now < this.lastDeleteAt + sd.delayAfterDeleteMs ||
      now < this.lastDeleteFailAt + sd.delayAfterFailureMs;
    if (scalingUp || cooling) return;
    for (const r of plan.remove) {
      const provider = views.find((v) => v.group === r.group)?.provider;
      const inst = this.instances.get(r.node);
      if (!provider || !inst || this.removing.has(r.node)) continue;
      inst.phase = 'deleting';
      this.unneededSince.delete(r.node);
      this.startRemoval(inst, provider, r.podsToMove.length > 0, () =>
        this.drainAndRemove(r, inst, provider, nodes.get(r.node)!),
      );
    }
  }

  private startRemoval(inst: Instance, _provider: NodeProvider, drain: boolean, run: () => Promise<void>): void {
    inst.phase = 'deleting';
    this.removing.set(inst.name, { drain });
    this.track(run().finally(() => this.removing.delete(inst.name)));
  }

  private async drainAndRemove(r: NodeRemoval, inst: Instance, provider: NodeProvider, node: Node): Promise<void> {
    const empty = r.podsToMove.length === 0;
    this.ctx.log('cluster-autoscaler: scale-down', {
      node: r.node,
      group: r.group.name,
      podsToMove: r.podsToMove.length,
    });
    try {
      await addToBeDeletedTaint(this.client, r.node, this.clock.now());
      void this.recorder.event(node, 'Normal', REASON_SCALE_DOWN, 'marked the node as toBeDeleted/unschedulable');
      for (const p of r.podsToMove)
        void this.recorder.event(p, 'Normal', REASON_SCALE_DOWN, 'deleting pod for node scale down');
      const evict = {
        client: this.client,
        clock: this.clock,
        deadlineMs: this.o.maxPodEvictionTimeMs,
        retryMs: this.o.evictionRetryMs,
        maxGracefulTerminationSec: this.o.maxGracefulTerminationSec,
        signal: this.abort.signal,
      };
      await Promise.all(r.podsToMove.map((p) => evictPod(p, evict)));
      // DaemonSet pods: one try each, as upstream's best-effort eviction.
      await Promise.all(r.daemonSetPods.map((p) => evictPod(p, { ...evict, deadlineMs: 0 }).catch(() => {})));
      await this.waitForPodsGone(r.node, r.podsToMove);
    } catch (err) {
      this.lastDeleteFailAt = this.clock.now();
      inst.phase = 'running';
      await removeToBeDeletedTaint(this.client, r.node).catch(() => {});
      void this.recorder.event(
        node,
        'Warning',
        REASON_SCALE_DOWN_FAILED,
        `failed to drain the node, aborting ScaleDown: ${(err as Error).message}`,
      );
      this.ctx.log('cluster-autoscaler: drain failed', { node: r.node, error: String(err) });
      return;
    }
    await this.removeMachine(inst, provider);
    if (!this.instances.has(inst.name)) {
      this.lastDeleteAt = this.clock.now();
      this.metrics.scaledDownNodes++;
      void this.recorder.event(node, 'Normal', REASON_SCALE_DOWN, 'node removed by cluster autoscaler');
      this.statusEvent(
        'Normal',
        empty ? REASON_SCALE_DOWN_EMPTY : REASON_SCALE_DOWN,
        `Scale-down: removing ${empty ? 'empty ' : ''}node ${r.node}`,
      );
    }
  }

  /** Waits until the evicted pods have left the node (their grace period, plus upstream's 30 s headroom). */
  private async waitForPodsGone(nodeName: string, evicted: Pod[]): Promise<void> {
    const uids = new Set(evicted.map((p) => p.metadata.uid));
    const maxGrace = Math.max(
      0,
      ...evicted.map((p) => Math.min(p.spec?.terminationGracePeriodSeconds ?? 30, this.o.maxGracefulTerminationSec)),
    );
    const deadline = this.clock.now() + maxGrace * 1000 + 30_000;
    for (;;) {
      const left = this.pods
        .list()
        .filter(
          (p) => p.spec?.nodeName === nodeName && uids.has(p.metadata.uid) && !isMirrorPod(p) && !isDaemonSetPod(p),
        );
      if (left.length === 0) return;
      if (this.clock.now() > deadline || this.stopped) {
        throw new Error(
          `pods still on the node: ${left.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}`,
        );
      }
      await new Promise<void>((r) => this.clock.setTimer(200, r));
    }
  }

  /**
   * Removes a machine through its provider, then its Node object. A create still in flight is aborted by
   * its own timeout; it is awaited first so it cannot register the node again after the cleanup.
   */
  private async removeMachine(inst: Instance, provider: NodeProvider): Promise<void> {
    inst.phase = 'deleting';
    if (inst.creating) await inst.creating.catch(() => {});
    try {
      await provider.deleteNode(inst.group, inst.name, this.timeout(this.o.nodeDeleteTimeoutMs));
    } catch (err) {
      // Stays 'deleting': the next pass tries again.
      this.ctx.log('cluster-autoscaler: provider delete failed', { node: inst.name, error: String(err) });
      return;
    }
    await this.deleteNodeObject(inst.name);
    this.instances.remove(inst.name);
  }

  private async deleteNodeObject(name: string): Promise<void> {
    try {
      await this.client.delete(resourcePath(resources.nodes, { name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- status

  private async writeStatus(
    views: GroupView[],
    errors: { group: string; message: string }[],
    nodes: Map<string, Node>,
    now: number,
  ): Promise<void> {
    const groups: GroupObservation[] = views.map((v) => {
      const inst = this.instances.ofGroup(v.group.name);
      const counts = countNodes(inst, nodes, now, this.o.maxNodeProvisionTimeMs);
      const backoff = this.backoff.active(v.group.name, now);
      const upcoming = inst.some((i) => isUpcoming(i, nodes));
      const unready = counts.registered.unready.total;
      // Upstream: unhealthy when more than 45% and more than 3 of the nodes are unready.
      const tooUnready = unready > 3 && unready > 0.45 * Math.max(1, counts.registered.total);
      return {
        name: v.group.name,
        health: v.unhealthy || tooUnready ? 'Unhealthy' : 'Healthy',
        ...(v.unhealthy
          ? { healthMessage: v.unhealthy }
          : tooUnready
            ? { healthMessage: `${unready} nodes unready` }
            : {}),
        nodeCounts: counts,
        target: this.instances.targetSize(v.group.name),
        minSize: v.group.minSize,
        maxSize: v.group.maxSize,
        scaleUp: backoff ? 'Backoff' : upcoming ? 'InProgress' : 'NoActivity',
        ...(backoff ? { backoff: { errorCode: backoff.errorCode, errorMessage: backoff.errorMessage } } : {}),
        scaleDownCandidates: inst.filter((i) => this.unneededSince.has(i.name)).length,
      };
    });
    const message = errors.map((e) => `node group ${e.group}: ${e.message}`).join('; ');
    const object = statusObject(
      { autoscalerStatus: 'Running', ...(message ? { message } : {}), groups },
      this.statusClock,
      now,
    );
    // Probe times change every pass: an otherwise unchanged status is rewritten only now and then.
    const key = JSON.stringify(object, (k, v) => (k === 'time' || k === 'lastProbeTime' ? undefined : v));
    if (this.lastStatus && this.lastStatus.key === key && now - this.lastStatus.at < this.o.statusRewriteMs) return;
    const status = renderStatus(object);
    const body: ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: STATUS_CONFIGMAP,
        namespace: STATUS_NAMESPACE,
        annotations: { [STATUS_LAST_UPDATED_ANNOTATION]: new Date(now).toISOString() },
      },
      data: { status },
    };
    try {
      this.statusCm = await this.client.patch<ConfigMap>(
        resourcePath(resources.configmaps, { namespace: STATUS_NAMESPACE, name: STATUS_CONFIGMAP }),
        body,
        'apply',
        { fieldManager: COMPONENT, force: true },
      );
      this.lastStatus = { key, at: now };
    } catch (err) {
      this.ctx.log('cluster-autoscaler: writing status failed', { error: String(err) });
    }
  }

  /** Events about the autoscaler's own actions go on its status ConfigMap, as upstream's. */
  private statusEvent(type: 'Normal' | 'Warning', reason: string, message: string): void {
    const cm = this.statusCm ?? {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: STATUS_CONFIGMAP, namespace: STATUS_NAMESPACE },
    };
    void this.recorder.event(cm, type, reason, message);
  }
}
