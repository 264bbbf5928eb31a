// Each component's Prometheus registry (prom-client), with upstream's metric names, labels and buckets:
// the API server (k8s.io/apiserver/pkg/endpoints/metrics), the scheduler (pkg/scheduler/metrics), the
// controller manager's work queues (client-go workqueue metrics), and the agent (pkg/kubelet/metrics).
// The components report through small sink interfaces of their own; these classes implement them.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Labels of an API request as upstream's apiserver_request_* have them. */
export interface ApiRequestLabels {
  /** Upstream's canonical verb: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION, CONNECT. */
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** resource | namespace | cluster, or '' for non-resource paths. */
  scope: string;
}

const REQUEST_LABELS = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
/** apiserver_request_duration_seconds' buckets (upstream). */
const REQUEST_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

/** A registry with the process metrics (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_*). */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export class ApiServerPrometheus {
  readonly registry: Registry;
  private readonly requests: Counter;
  private readonly durations: Histogram;
  private readonly longRunning: Gauge;
  private readonly watchers: Gauge;
  private readonly terminated: Counter;

  /**
   * `storageObjects` counts the stored objects per resource (`<resource>.<group>`, `pods` for the core
   * group) when Prometheus scrapes; `registry` defaults to one with the process metrics.
   */
  constructor(opts: { storageObjects?: () => Promise<Map<string, number>>; registry?: Registry } = {}) {
    this.registry = opts.registry ?? processRegistry();
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      labelNames: [...REQUEST_LABELS, 'code'],
      registers,
    });
    this.durations = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      labelNames: REQUEST_LABELS,
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
      labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      registers,
    });
    this.watchers = new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently registered watchers for a given resources',
      labelNames: ['group', 'version', 'kind'],
      registers,
    });
    this.terminated = new Counter({
      name: 'apiserver_terminated_watchers_total',
      help: 'Counter of watchers closed due to unresponsiveness broken by resource type.',
      labelNames: ['group', 'resource'],
      registers,
    });
    const count = opts.storageObjects;
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers,
      async collect() {
        if (!count) return;
        this.reset();
        for (const [resource, n] of await count()) this.set({ resource }, n);
      },
    });
  }

  /** One finished request (watches too, when they end). */
  request(l: ApiRequestLabels, opts: { code: number; seconds: number; dryRun?: boolean }): void {
    // Literals with every label, not spreads of `l`: on Node 20 a spread followed by keys it lacks takes V8's
    // slow path (about 1.5 µs each), and this runs for every request.
    const { verb, group, version, resource, subresource, scope } = l;
    const dry_run = opts.dryRun ? 'All' : '';
    const component = 'apiserver';
    const labels = { verb, dry_run, group, version, resource, subresource, scope, component };
    this.requests.inc({
      verb,
      dry_run,
      group,
      version,
      resource,
      subresource,
      scope,
      component,
      code: String(opts.code),
    });
    // Upstream leaves WATCH and CONNECT out of the latency histogram only when they are long-running;
    // a watch's latency is its lifetime, which says nothing: so do we.
    if (l.verb !== 'WATCH' && l.verb !== 'CONNECT') this.durations.observe(labels, opts.seconds);
  }

  /** A long-running request started (WATCH, CONNECT); call the result when it ends. */
  watcherTerminated(group: string, resource: string): void {
    this.terminated.inc({ group, resource });
  }

  longRunningStarted(l: ApiRequestLabels, kind?: string): () => void {
    const labels = { ...l, component: 'apiserver' };
    this.longRunning.inc(labels);
    const w = l.verb === 'WATCH' && kind ? { group: l.group, version: l.version, kind } : undefined;
    if (w) this.watchers.inc(w);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.longRunning.dec(labels);
      if (w) this.watchers.dec(w);
    };
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** scheduler_* (the scheduler's SchedulerMetricsSink, structurally). */
export class SchedulerPrometheus {
  readonly registry = new Registry();
  private readonly attempts: Counter;
  private readonly attemptDuration: Histogram;
  private readPending: (() => { active: number; backoff: number; unschedulable: number; gated: number }) | undefined;

  constructor() {
    const registers = [this.registry];
    this.attempts = new Counter({
      name: 'scheduler_schedule_attempts_total',
      help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
      labelNames: ['result', 'profile'],
      registers,
    });
    this.attemptDuration = new Histogram({
      name: 'scheduler_scheduling_attempt_duration_seconds',
      help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      labelNames: ['result', 'profile'],
      // ExponentialBuckets(0.001, 2, 15), as upstream.
      buckets: Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i),
      registers,
    });
    const self = this;
    new Gauge({
      name: 'scheduler_pending_pods',
      help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
      labelNames: ['queue'],
      registers,
      collect() {
        const l = self.readPending?.();
        if (!l) return;
        for (const queue of ['active', 'backoff', 'unschedulable', 'gated'] as const) this.set({ queue }, l[queue]);
      },
    });
  }

  attempt(result: string, profile: string, seconds: number): void {
    this.attempts.inc({ result, profile });
    this.attemptDuration.observe({ result, profile }, seconds);
  }

  pendingPods(read: () => { active: number; backoff: number; unschedulable: number; gated: number }): void {
    this.readPending = read;
  }
}

/** workqueue_depth and workqueue_adds_total by queue name (the client's WorkQueueMetricsProvider, structurally). */
export class WorkQueuePrometheus {
  readonly registry = new Registry();
  private readonly adds: Counter;
  private readonly queues = new Map<string, Set<() => number>>();

  constructor() {
    const registers = [this.registry];
    this.adds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: ['name'],
      registers,
    });
    const queues = this.queues;
    new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: ['name'],
      registers,
      collect() {
        this.reset();
        for (const [name, depths] of queues) {
          let n = 0;
          for (const d of depths) n += d();
          this.set({ name }, n);
        }
      },
    });
  }

  queueCreated(name: string, depth: () => number): void {
    let set = this.queues.get(name);
    if (!set) {
      set = new Set();
      this.queues.set(name, set);
    }
    set.add(depth);
  }

  queueShutDown(name: string, depth: () => number): void {
    this.queues.get(name)?.delete(depth);
  }

  added(name: string): void {
    this.adds.inc({ name });
  }
}

/** kubelet_* of the agent. */
export class KubeletPrometheus {
  readonly registry: Registry;
  private readonly podStart: Histogram;

  /** `runningPods` counts the pods with a running sandbox when Prometheus scrapes. */
  constructor(opts: { runningPods: () => Promise<number> | number; registry?: Registry }) {
    this.registry = opts.registry ?? processRegistry();
    const registers = [this.registry];
    new Gauge({
      name: 'kubelet_running_pods',
      help: 'Number of pods that have a running pod sandbox',
      registers,
      async collect() {
        this.set(await opts.runningPods());
      },
    });
    this.podStart = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: [
        0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600,
      ],
      registers,
    });
  }

  podStarted(seconds: number): void {
    this.podStart.observe(seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Text of several registries as one exposition (their metric names must not overlap). */
export async function concatMetrics(...texts: (string | Promise<string>)[]): Promise<string> {
  const parts = await Promise.all(texts);
  return parts.map((t) => (t.endsWith('\n') || t === '' ? t : `${t}\n`)).join('');
}
