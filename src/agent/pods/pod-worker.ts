// One worker per pod (the kubelet's pod worker): a serial loop that observes the runtime, plans with
// planPodSync, executes the plan, and reports status. Wakes on pod updates, runtime changes (the manager's
// relist), probe results, back-off expiry and a slow periodic resync. When the pod is deleted (or vanishes
// from the API) it runs preStop hooks, stops containers within the grace period, removes containers,
// sandbox, pod cgroup and volumes, and finally deletes the pod object with gracePeriodSeconds=0.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { jsonEqual, stableJson } from '../../core/json.js';
import { parseBytes, parseCpuMillis } from '../../core/quantity/index.js';
import { type ApiClient, type EventRecorder, isNotFound as isApiNotFound } from '../../client/index.js';
import type { ContainerConfig, ContainerRuntime, DnsConfig, PortMapping, SandboxConfig } from '../runtime/index.js';
import type { Container, PodStatus, Secret } from '../../core/types.js';
import type { BoundPod } from '../types.js';
import { removeCgroup } from './cgroups.js';
import type { CrashBackoff } from './crash-backoff.js';
import { unableToMountMessage } from './claims.js';
import { ContainerConfigError, expandVars, type NodeFacts, resolveEnv } from './env.js';
import { pullAuth } from './image-auth.js';
import {
  ANNOTATION_GRACE,
  ANNOTATION_STDIN_ONCE,
  containerSpecHash,
  LABEL_CONTAINER_KIND,
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SPEC_HASH,
} from './labels.js';
import { PodObserver } from './observe.js';
import {
  type ContainerKind,
  containersNamed,
  currentSandbox,
  type ObservedContainer,
  type ObservedPod,
} from './observed.js';
import { computePodStatus, type WaitingReason, waitingKey } from './pod-status.js';
import { runHandler } from './probe-run.js';
import { ProbeManager } from './probes.js';
import { type ContainerStart, planPodSync } from './sync-plan.js';
import {
  containerMounts,
  isProjectedKind,
  PodVolumesNotReady,
  prepareVolumes,
  VolumeError,
  type VolumeSource,
} from './volumes.js';

export type Log = (message: string, fields: Record<string, unknown>) => void;

export interface WorkerDeps {
  runtime: ContainerRuntime;
  /** containerID prefix, e.g. `containerd`. */
  runtimeName: string;
  client: ApiClient;
  events: EventRecorder;
  /** ConfigMaps, Secrets, claims and volumes, read through the API. */
  config: VolumeSource;
  /** Service environment variables for a pod of this namespace (getServiceEnvVarMap). */
  serviceEnv(namespace: string, enableServiceLinks: boolean): Map<string, string>;
  /** The sandbox's DNS config for the pod's dnsPolicy; undefined leaves it to the runtime (the node's). */
  podDns?(pod: BoundPod): DnsConfig | undefined;
  /** How often a running pod's configMap/secret/downwardAPI/projected volumes are rewritten from the API. */
  volumeRefreshMs: number;
  /** Per-pod directories (volumes, logs) go under here. */
  podsDir: string;
  cgroupParent(uid: string): string | undefined;
  facts(): NodeFacts;
  crashBackoff: CrashBackoff;
  imageBackoff: CrashBackoff;
  log: Log;
  /** Called once the worker has torn the pod down and will do nothing more. */
  onDone(uid: string): void;
  /** The pod first reported Running, `seconds` after this agent first saw it (kubelet_pod_start_duration_seconds). */
  onPodStarted?(seconds: number): void;
}

const RESYNC_MS = 10_000;
const RETRY_MS = 1_000;

function podKey(pod: BoundPod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

function desiredState(pod: BoundPod): string {
  const m = pod.metadata;
  return stableJson([pod.spec, m.labels, m.annotations, m.deletionTimestamp, m.deletionGracePeriodSeconds]);
}

export class PodWorker {
  readonly uid: string;
  private pod: BoundPod | undefined;
  /** The pod as last seen in the API, kept after it vanishes so teardown knows its grace period and name. */
  private lastPod: BoundPod;
  private readonly observer: PodObserver;
  private readonly probes: ProbeManager;
  private readonly waiting = new Map<string, WaitingReason>();
  private lastStatus: PodStatus | undefined;
  private firstSeenMs: number | undefined;
  private wakeResolve: (() => void) | undefined;
  private dirty = true;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private terminated = false;
  /** When the pod's projected volumes were last written; labels/annotations changing makes them due at once. */
  private volumesWrittenAt = 0;
  private volumesStale = false;
  readonly done: Promise<void>;

  constructor(
    private readonly deps: WorkerDeps,
    pod: BoundPod,
  ) {
    this.uid = pod.metadata.uid!;
    this.pod = pod;
    this.lastPod = pod;
    this.lastStatus = pod.status;
    // Pods already running when this agent met them (adopted after a restart) do not count as starts.
    this.firstSeenMs = pod.status?.phase === 'Running' ? undefined : performance.now();
    this.observer = new PodObserver(deps.runtime, this.uid);
    this.probes = new ProbeManager({
      runtime: deps.runtime,
      onChange: () => this.wake(),
      onFailure: (name, _kind, output) => {
        void deps.events.event(this.lastPod, 'Warning', 'Unhealthy', output);
        deps.log('probe failed', { pod: podKey(this.lastPod), container: name, output });
      },
    });
    this.done = this.run();
  }

  /** A new version of the pod, or undefined when it is gone from the API. */
  update(pod: BoundPod | undefined): void {
    const before = this.pod;
    this.pod = pod;
    if (pod) this.lastPod = pod;
    if (
      pod &&
      before &&
      stableJson([before.metadata.labels, before.metadata.annotations]) !==
        stableJson([pod.metadata.labels, pod.metadata.annotations])
    ) {
      this.volumesStale = true;
    }
    // Status-only updates (mostly our own writes) change nothing to do, as the kubelet's pod config filters them.
    if (pod && before && desiredState(before) === desiredState(pod)) return;
    this.wake();
  }

  wake(): void {
    this.dirty = true;
    this.wakeResolve?.();
  }

  /** Stops the loop without touching containers (agent shutdown: a restarted agent adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.probes.stop();
    if (this.timer) clearTimeout(this.timer);
    this.wakeResolve?.();
    await this.done;
  }

  private wakeAfter(ms: number): void {
    const at = Date.now() + ms;
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timerAt = Number.POSITIVE_INFINITY;
      this.timer = undefined;
      this.wake();
    }, ms);
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.terminated) {
      if (!this.dirty) {
        await new Promise<void>((r) => {
          this.wakeResolve = r;
        });
        this.wakeResolve = undefined;
        continue;
      }
      this.dirty = false;
      try {
        await this.syncOnce();
      } catch (err) {
        this.deps.log('pod sync failed', { pod: podKey(this.lastPod), error: String(err) });
        this.wakeAfter(RETRY_MS);
      }
    }
    this.probes.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.terminated) this.deps.onDone(this.uid);
  }

  private async syncOnce(): Promise<void> {
    const pod = this.pod;
    if (!pod || pod.metadata.deletionTimestamp) {
      await this.terminate(pod);
      return;
    }
    this.wakeAfter(RESYNC_MS);
    const observed = await this.observer.observe();
    const terminalInApi = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const now = Date.now();
    const plan = planPodSync({
      pod,
      observed,
      unhealthy: this.probes.unhealthy,
      backoffRemaining: (kind, last) =>
        this.deps.crashBackoff.remaining(
          this.backoffKey(kind, last.name),
          last.startedAt ?? last.createdAt,
          last.finishedAt ?? now,
          now,
        ),
    });
    // A pod the API already records as finished never runs again (e.g. after its containers were collected).
    const mayStart = !terminalInApi && !plan.finished;
    let changed = false;

    await Promise.all(
      plan.killContainers.map((k) => {
        const c = observed.containers.find((x) => x.id === k.id);
        return this.killContainer(pod, k.id, k.name, c, k.message, this.graceOf(pod));
      }),
    );
    for (const id of plan.removeContainers) await this.deps.runtime.removeContainer(id);
    for (const id of plan.removeSandboxes) {
      await this.deps.runtime.stopPodSandbox(id);
      await this.deps.runtime.removePodSandbox(id);
    }
    if (plan.stopSandbox) await this.deps.runtime.stopPodSandbox(plan.stopSandbox);
    changed ||= plan.killContainers.length > 0 || plan.removeSandboxes.length > 0 || !!plan.stopSandbox;
    // Killed containers are restarted (or not) by the next plan, which sees them exited.
    if (plan.killContainers.length > 0) this.dirty = true;

    // Back-off reasons are recomputed every sync from the plan.
    for (const [k, w] of this.waiting) if (w.reason === 'CrashLoopBackOff') this.waiting.delete(k);
    for (const b of plan.backoff) {
      const delay = Math.round(this.deps.crashBackoff.currentDelay(this.backoffKey(b.kind, b.name)) / 1000);
      const podRef = `${pod.metadata.name}_${pod.metadata.namespace}(${this.uid})`;
      this.waiting.set(waitingKey(b.kind, b.name), {
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay}s restarting failed container=${b.name} pod=${podRef}`,
      });
      void this.deps.events.event(
        pod,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${b.name} in pod ${podRef}`,
      );
      this.wakeAfter(b.waitMs + 10);
    }

    let sandbox = currentSandbox(observed);
    let volumes: Map<string, string> | undefined;
    if (mayStart && (plan.createSandbox || plan.start.length > 0)) {
      try {
        volumes = await prepareVolumes(pod, this.podDir(), this.deps.config, this.deps.facts());
        this.volumesWrittenAt = Date.now();
        this.volumesStale = false;
      } catch (err) {
        if (err instanceof PodVolumesNotReady) {
          // No sandbox until every claim is bound (the kubelet's WaitForAttachAndMount); retried.
          void this.deps.events.event(pod, 'Warning', 'FailedMount', unableToMountMessage(err.volumes));
          this.deps.log('pod waits for its volumes', { pod: podKey(pod), error: err.message });
          this.wakeAfter(2_000);
          await this.writeStatus(pod, observed);
          return;
        }
        if (!(err instanceof VolumeError || err instanceof ContainerConfigError)) throw err;
        void this.deps.events.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${err.message}`);
        this.wakeAfter(2_000);
        await this.writeStatus(pod, observed);
        return;
      }
    }
    if (mayStart && plan.createSandbox) {
      const config = this.sandboxConfig(pod, plan.sandboxAttempt);
      mkdirSync(config.logDirectory!, { recursive: true });
      try {
        const r = await this.deps.runtime.runPodSandbox(config);
        sandbox = { id: r.id, state: 'ready', attempt: plan.sandboxAttempt, createdAt: Date.now(), ip: r.ip };
        changed = true;
      } catch (err) {
        void this.deps.events.event(
          pod,
          'Warning',
          'FailedCreatePodSandBox',
          `Failed to create pod sandbox: ${String(err)}`,
        );
        this.wakeAfter(2_000);
        await this.writeStatus(pod, observed);
        return;
      }
    }
    if (mayStart && sandbox && volumes) {
      for (const s of plan.start) {
        if (await this.startContainer(pod, sandbox.id, sandbox.ip, s, observed, volumes)) changed = true;
      }
    }

    if (mayStart && !volumes && sandbox?.state === 'ready') await this.refreshVolumes(pod);

    const after = changed ? await this.observer.observe() : observed;
    this.probes.sync(
      after.containers
        .filter((c) => c.state === 'running' && c.sandboxId === currentSandbox(after)?.id)
        .flatMap((c) => {
          const spec = this.specOf(pod, c.kind, c.name);
          return spec ? [{ id: c.id, spec, host: this.probeHost(pod, currentSandbox(after)?.ip ?? '') }] : [];
        }),
    );
    await this.writeStatus(pod, after);
  }

  /** Rewrites a running pod's configMap/secret/downwardAPI/projected volumes when due (atomic, in place). */
  private async refreshVolumes(pod: BoundPod): Promise<void> {
    if (!(pod.spec.volumes ?? []).some(isProjectedKind)) return;
    const every = this.deps.volumeRefreshMs;
    if (this.volumesStale || Date.now() - this.volumesWrittenAt >= every) {
      try {
        await prepareVolumes(pod, this.podDir(), this.deps.config, this.deps.facts(), { refreshOnly: true });
      } catch (err) {
        // The volume keeps its last content, as upstream's does when its source is gone.
        if (!(err instanceof VolumeError || err instanceof ContainerConfigError)) throw err;
        void this.deps.events.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${err.message}`);
      }
      this.volumesWrittenAt = Date.now();
      this.volumesStale = false;
    }
    this.wakeAfter(Math.max(0, this.volumesWrittenAt + every - Date.now()) + 10);
  }

  private backoffKey(kind: ContainerKind, name: string): string {
    return `${this.uid}/${kind}/${name}`;
  }

  private podDir(): string {
    return join(this.deps.podsDir, this.uid);
  }

  private probeHost(pod: BoundPod, ip: string): string {
    return pod.spec.hostNetwork ? this.deps.facts().hostIP : ip || '127.0.0.1';
  }

  private specOf(pod: BoundPod, kind: ContainerKind, name: string): Container | undefined {
    return (kind === 'init' ? (pod.spec.initContainers ?? []) : pod.spec.containers).find((c) => c.name === name);
  }

  private graceOf(pod: BoundPod | undefined): number {
    const g = pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  }

  private sandboxConfig(pod: BoundPod, attempt: number): SandboxConfig {
    const ports: PortMapping[] = [];
    for (const c of pod.spec.containers) {
      for (const p of c.ports ?? []) {
        if (p.hostPort) {
          ports.push({
            // Validation admits only these three.
            protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'],
            containerPort: p.containerPort,
            hostPort: p.hostPort,
            hostIp: p.hostIP,
          });
        }
      }
    }
    return {
      metadata: { name: pod.metadata.name!, namespace: pod.metadata.namespace ?? 'default', uid: this.uid, attempt },
      // A host-network pod shares the node's UTS namespace: no hostname of its own (runc refuses one), as kubelet.
      hostname: pod.spec.hostNetwork ? undefined : (pod.spec.hostname ?? pod.metadata.name!).slice(0, 63),
      logDirectory: join(this.podDir(), 'logs'),
      portMappings: ports,
      labels: {
        [LABEL_POD_UID]: this.uid,
        [LABEL_POD_NAME]: pod.metadata.name!,
        [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default',
      },
      annotations: {},
      cgroupParent: this.deps.cgroupParent(this.uid),
      hostNetwork: pod.spec.hostNetwork === true,
      dns: this.deps.podDns?.(pod),
    };
  }

  private async ensureImage(pod: BoundPod, spec: Container, kind: ContainerKind): Promise<boolean> {
    const image = spec.image ?? '';
    const key = waitingKey(kind, spec.name);
    const tagged = /:[^/]+$/.test(image) || image.includes('@');
    const policy = spec.imagePullPolicy ?? (!tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent');
    const present = await this.deps.runtime.imageStatus(image);
    if (policy === 'Never') {
      if (present) return true;
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.waiting.set(key, { reason: 'ErrImageNeverPull', message });
      void this.deps.events.event(pod, 'Warning', 'ErrImageNeverPull', message);
      return false;
    }
    if (present && policy === 'IfNotPresent') return true;
    const backoffKey = `${this.uid}/image/${image}`;
    const now = Date.now();
    const wait = this.deps.imageBackoff.remaining(backoffKey, now, now, now);
    if (wait > 0) {
      const message = `Back-off pulling image "${image}"`;
      this.waiting.set(key, { reason: 'ImagePullBackOff', message });
      void this.deps.events.event(pod, 'Normal', 'BackOff', message);
      this.wakeAfter(wait + 10);
      return false;
    }
    void this.deps.events.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
    const started = Date.now();
    try {
      const secrets: Secret[] = [];
      for (const ref of pod.spec.imagePullSecrets ?? []) {
        // A reference without a name finds no secret.
        const s = ref.name ? await this.deps.config.secret(pod.metadata.namespace ?? 'default', ref.name) : undefined;
        if (s) secrets.push(s);
      }
      await this.deps.runtime.pullImage(image, pullAuth(image, secrets));
      const ms = Date.now() - started;
      const info = await this.deps.runtime.imageStatus(image);
      void this.deps.events.event(
        pod,
        'Normal',
        'Pulled',
        `Successfully pulled image "${image}" in ${ms}ms (${ms}ms including waiting). Image size: ${info?.sizeBytes ?? 0} bytes.`,
      );
      return true;
    } catch (err) {
      const message = `Failed to pull image "${image}": ${err instanceof Error ? err.message : String(err)}`;
      this.deps.imageBackoff.restarted(backoffKey, now, now);
      this.waiting.set(key, { reason: 'ErrImagePull', message });
      void this.deps.events.event(pod, 'Warning', 'Failed', message);
      void this.deps.events.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      this.wakeAfter(this.deps.imageBackoff.currentDelay(backoffKey) + 10);
      return false;
    }
  }

  private async startContainer(
    pod: BoundPod,
    sandboxId: string,
    podIP: string,
    start: ContainerStart,
    observed: ObservedPod,
    volumes: ReadonlyMap<string, string>,
  ): Promise<boolean> {
    const spec = this.specOf(pod, start.kind, start.name);
    if (!spec) return false;
    const key = waitingKey(start.kind, spec.name);
    if (!(await this.ensureImage(pod, spec, start.kind))) return false;
    let config: ContainerConfig;
    try {
      const serviceEnv = this.deps.serviceEnv(
        pod.metadata.namespace ?? 'default',
        pod.spec.enableServiceLinks !== false,
      );
      const env = await resolveEnv(pod, spec, this.deps.config, { ...this.deps.facts(), podIP }, serviceEnv);
      config = this.containerConfig(pod, spec, start, env, containerMounts(spec, pod, volumes));
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.waiting.set(key, { reason: 'CreateContainerConfigError', message: err.message });
      void this.deps.events.event(pod, 'Warning', 'Failed', `Error: ${err.message}`);
      this.wakeAfter(5_000);
      return false;
    }
    const previous = containersNamed(observed, spec.name, start.kind)[0];
    let id: string;
    try {
      id = await this.deps.runtime.createContainer(
        sandboxId,
        config,
        this.sandboxConfig(pod, currentSandbox(observed)?.attempt ?? 0),
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.waiting.set(key, { reason: 'CreateContainerError', message });
      void this.deps.events.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      this.wakeAfter(RETRY_MS * 5);
      return false;
    }
    void this.deps.events.event(pod, 'Normal', 'Created', `Created container ${spec.name}`);
    this.waiting.delete(key);
    if (previous?.state === 'exited') {
      this.deps.crashBackoff.restarted(
        this.backoffKey(start.kind, spec.name),
        previous.startedAt ?? previous.createdAt,
        previous.finishedAt ?? Date.now(),
      );
    }
    try {
      await this.deps.runtime.startContainer(id);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      void this.deps.events.event(pod, 'Warning', 'Failed', `Error: ${message}`);
      return true;
    }
    void this.deps.events.event(pod, 'Normal', 'Started', `Started container ${spec.name}`);
    return true;
  }

  private containerConfig(
    pod: BoundPod,
    spec: Container,
    start: ContainerStart,
    env: Map<string, string>,
    mounts: ContainerConfig['mounts'],
  ): ContainerConfig {
    const limits = spec.resources?.limits ?? {};
    const requests = spec.resources?.requests ?? {};
    const cpuLimit = limits['cpu'] !== undefined ? parseCpuMillis(String(limits['cpu'])) : undefined;
    const cpuRequest = requests['cpu'] ?? limits['cpu'];
    const memLimit = limits['memory'] !== undefined ? parseBytes(String(limits['memory'])) : undefined;
    const sc = spec.securityContext ?? {};
    return {
      name: spec.name,
      attempt: start.restartCount,
      image: spec.image ?? '',
      command: spec.command?.map((s) => expandVars(s, env)),
      args: spec.args?.map((s) => expandVars(s, env)),
      env: Object.fromEntries(env),
      workingDir: spec.workingDir,
      mounts,
      resources: {
        cpuLimitMillis: cpuLimit,
        cpuRequestMillis: cpuRequest !== undefined ? parseCpuMillis(String(cpuRequest)) : undefined,
        memoryLimitBytes: memLimit,
      },
      logPath: `${spec.name}/${start.restartCount}.log`,
      labels: {
        [LABEL_POD_UID]: this.uid,
        [LABEL_POD_NAME]: pod.metadata.name!,
        [LABEL_POD_NAMESPACE]: pod.metadata.namespace ?? 'default',
        [LABEL_CONTAINER_NAME]: spec.name,
        [LABEL_CONTAINER_KIND]: start.kind,
        [LABEL_SPEC_HASH]: containerSpecHash(spec),
        [LABEL_RESTART_COUNT]: String(start.restartCount),
      },
      annotations: {
        [ANNOTATION_GRACE]: String(this.graceOf(pod)),
        ...(spec.stdin && spec.stdinOnce ? { [ANNOTATION_STDIN_ONCE]: 'true' } : {}),
      },
      tty: spec.tty,
      stdin: spec.stdin,
      stdinOnce: spec.stdinOnce,
      privileged: sc.privileged,
      runAsUser: sc.runAsUser,
      runAsGroup: sc.runAsGroup,
      readonlyRootfs: sc.readOnlyRootFilesystem,
    };
  }

  /** preStop hook (within the grace period), then SIGTERM and SIGKILL after what is left of it. */
  private async killContainer(
    pod: BoundPod | undefined,
    id: string,
    name: string,
    observed: ObservedContainer | undefined,
    message: string,
    grace: number,
  ): Promise<void> {
    const spec = pod ? this.specOf(pod, observed?.kind ?? 'regular', name) : undefined;
    void this.deps.events.event(
      this.lastPod,
      'Normal',
      'Killing',
      message.startsWith('Container') ? message : `Stopping container ${name}`,
    );
    const started = Date.now();
    const preStop = spec?.lifecycle?.preStop;
    if (preStop && observed?.state === 'running' && grace > 0) {
      const host = this.probeHost(this.lastPod, currentSandbox(await this.observer.observe())?.ip ?? '');
      const r = await Promise.race([
        runHandler(preStop, { runtime: this.deps.runtime, containerId: id, container: spec, host }, grace),
        new Promise<undefined>((res) => setTimeout(() => res(undefined), grace * 1000)),
      ]);
      if (r && !r.ok) {
        void this.deps.events.event(this.lastPod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.output}`);
      }
    }
    const left = Math.max(grace > 0 ? 2 : 0, Math.ceil(grace - (Date.now() - started) / 1000));
    await this.deps.runtime.stopContainer(id, left);
  }

  private async terminate(pod: BoundPod | undefined): Promise<void> {
    this.probes.stop();
    const observed = await this.observer.observe();
    const grace = pod ? this.graceOf(pod) : undefined;
    await Promise.all(
      observed.containers
        .filter((c) => c.state === 'running' || c.state === 'created')
        .map((c) =>
          this.killContainer(pod, c.id, c.name, c, `Stopping container ${c.name}`, grace ?? c.graceSeconds ?? 30),
        ),
    );
    for (const s of observed.sandboxes) await this.deps.runtime.stopPodSandbox(s.id);
    for (const c of observed.containers) await this.deps.runtime.removeContainer(c.id);
    for (const s of observed.sandboxes) await this.deps.runtime.removePodSandbox(s.id);
    const cgroup = this.deps.cgroupParent(this.uid);
    if (cgroup) removeCgroup(cgroup);
    rmSync(this.podDir(), { recursive: true, force: true });
    this.deps.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.deps.imageBackoff.forgetPrefix(`${this.uid}/`);
    if (pod) {
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`;
      try {
        await this.deps.client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (err) {
        if (!isApiNotFound(err) && !(err instanceof Error && /conflict|Precondition/i.test(err.message))) throw err;
      }
    }
    this.deps.log('pod torn down', { pod: podKey(this.lastPod), uid: this.uid });
    this.terminated = true;
  }

  private async writeStatus(pod: BoundPod, observed: ObservedPod): Promise<void> {
    const status = computePodStatus({
      pod: { ...pod, status: this.lastStatus ?? pod.status },
      observed,
      now: Date.now(),
      hostIP: this.deps.facts().hostIP,
      runtimeName: this.deps.runtimeName,
      waiting: this.waiting,
      readiness: this.probes.readiness,
      started: this.probes.started,
    });
    // Keep the previous transition and start times stable: compare without churn from "now".
    if (this.lastStatus && jsonEqual(status, this.lastStatus)) return;
    if (!this.lastStatus && pod.status && jsonEqual(status, pod.status)) {
      this.lastStatus = status;
      return;
    }
    const body: Record<string, unknown> = { ...status };
    for (const k of Object.keys(pod.status ?? {})) if (!(k in body)) body[k] = null;
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`;
    try {
      await this.deps.client.patch(path, { status: body }, 'merge');
      this.lastStatus = status;
      if (status.phase === 'Running' && this.firstSeenMs !== undefined) {
        this.deps.onPodStarted?.((performance.now() - this.firstSeenMs) / 1000);
        this.firstSeenMs = undefined;
      }
    } catch (err) {
      if (isApiNotFound(err)) return;
      throw err;
    }
  }
}
