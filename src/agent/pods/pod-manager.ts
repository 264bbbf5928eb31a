// Dispatches pods bound to this node to one PodWorker each, and relists the runtime every second (the
// kubelet's PLEG) to wake the workers whose containers changed state. On start it also finds sandboxes
// whose pod no longer exists and tears them down; sandboxes of existing pods are simply adopted by their
// workers (labels carry the pod uid). A Service informer feeds the pods' Service environment variables.
import { type ApiClient, type EventRecorder, Informer } from '../../client/index.js';
import { readFileSync } from 'node:fs';
import type { ContainerRuntime, DnsConfig } from '../runtime/index.js';
import { podDnsConfig } from '../../core/resolv-conf.js';
import { resources } from '../../core/resources.js';
import type { corev1, PersistentVolumeClaim, Service } from '../../core/types.js';
import type { BoundPod } from '../types.js';
import { CrashBackoff } from './crash-backoff.js';
import type { NodeFacts } from './env.js';
import { LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from './labels.js';
import { type Log, PodWorker, type WorkerDeps } from './pod-worker.js';
import { serviceEnvVars } from './service-env.js';
import type { VolumeSource } from './volumes.js';

/** Default period of the projected-volume refresh: upstream's sync frequency (one minute). */
export const DEFAULT_VOLUME_REFRESH_MS = 60_000;

/** How long stop() waits for pod workers to finish what they are doing. */
const STOP_WAIT_MS = 2000;
export interface PodManagerOptions {
  client: ApiClient;
  runtime: ContainerRuntime;
  runtimeName: string;
  events: EventRecorder;
  nodeName: string;
  podsDir: string;
  /** cgroupfs parent per pod, or undefined for runtimes without cgroups. */
  cgroupParent(uid: string): string | undefined;
  facts(): NodeFacts;
  log: Log;
  relistMs?: number;
  /** How often running pods' configMap/secret/downwardAPI/projected volumes are refreshed (default 60 s). */
  volumeRefreshMs?: number;
  /** A pod first reported Running, this long after its worker started (kubelet_pod_start_duration_seconds). */
  onPodStarted?(seconds: number): void;
  /** Cluster DNS for pods' resolv.conf (the kubelet's --cluster-dns, --cluster-domain, --resolv-conf). */
  dns?: PodDnsSettings;
}

export interface PodDnsSettings {
  /** The kube-dns Service's ClusterIP(s); empty: ClusterFirst pods fall back to Default, as upstream. */
  clusterDns: string[];
  clusterDomain: string;
  /** The node's resolv.conf for dnsPolicy Default (and the search list); '' for none. Default /etc/resolv.conf. */
  resolvConf?: string;
}

export class PodManager {
  private readonly informer: Informer<BoundPod>;
  private readonly services: Informer<Service>;
  private readonly workers = new Map<string, PodWorker>();
  private readonly deps: WorkerDeps;
  private relistTimer: NodeJS.Timeout | undefined;
  private fingerprints = new Map<string, string>();
  private stopped = false;
  private relisting = false;

  constructor(private readonly opts: PodManagerOptions) {
    // Pods from the API always carry a spec (validation requires containers): the informer hands out BoundPods.
    this.informer = new Informer<BoundPod>({
      client: opts.client,
      resource: resources.pods,
      fieldSelector: `spec.nodeName=${opts.nodeName}`,
      log: opts.log,
    });
    this.services = new Informer<Service>({ client: opts.client, resource: resources.services, log: opts.log });
    const config: VolumeSource = {
      configMap: (ns, name) => this.getOptional(`/api/v1/namespaces/${ns}/configmaps/${name}`),
      secret: (ns, name) => this.getOptional(`/api/v1/namespaces/${ns}/secrets/${name}`),
      persistentVolumeClaim: (ns, name) =>
        this.getOptional<PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`),
      persistentVolume: (name) => this.getOptional<corev1.PersistentVolume>(`/api/v1/persistentvolumes/${name}`),
      serviceAccountToken: (pod, audience, expirationSeconds) => this.token(pod, audience, expirationSeconds),
    };
    this.deps = {
      runtime: opts.runtime,
      runtimeName: opts.runtimeName,
      client: opts.client,
      events: opts.events,
      config,
      serviceEnv: (ns, links) => serviceEnvVars(this.services.list(), ns, links),
      podDns: opts.dns ? (pod) => this.podDns(pod, opts.dns!) : undefined,
      volumeRefreshMs: opts.volumeRefreshMs ?? DEFAULT_VOLUME_REFRESH_MS,
      podsDir: opts.podsDir,
      cgroupParent: opts.cgroupParent,
      facts: opts.facts,
      crashBackoff: new CrashBackoff(),
      imageBackoff: new CrashBackoff(),
      log: opts.log,
      onDone: (uid) => this.workers.delete(uid),
      ...(opts.onPodStarted ? { onPodStarted: opts.onPodStarted } : {}),
    };
  }

  /** The sandbox's resolver per dnsPolicy (kubelet's GetPodDNS); its warnings become the pod's events. */
  private podDns(pod: BoundPod, dns: PodDnsSettings): DnsConfig | undefined {
    const path = dns.resolvConf ?? '/etc/resolv.conf';
    let hostResolvConf: string | undefined;
    if (path !== '') {
      try {
        hostResolvConf = readFileSync(path, 'utf8');
      } catch {
        hostResolvConf = '';
      }
    }
    const r = podDnsConfig(pod, {
      clusterDns: dns.clusterDns,
      clusterDomain: dns.clusterDomain,
      hostResolvConf,
      nodeIPs: [this.opts.facts().hostIP],
    });
    for (const w of r.warnings) void this.opts.events.event(pod, 'Warning', w.reason, w.message);
    // Host-network pods share the node's resolver unless a policy says otherwise (as containerd does).
    return r.config;
  }

  /** Bound tokens by pod uid, audience and lifetime; renewed at 80% of their life, as the kubelet does. */
  private readonly tokens = new Map<string, { token: string; refreshAt: number; podUid: string }>();

  private async token(pod: BoundPod, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const uid = pod.metadata.uid ?? '';
    const key = `${uid}/${audience ?? ''}/${expirationSeconds}`;
    const cached = this.tokens.get(key);
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    // forget the tokens of pods that are gone
    const live = new Set(this.informer.list().map((p) => p.metadata.uid));
    for (const [k, v] of this.tokens) if (!live.has(v.podUid)) this.tokens.delete(k);
    const ns = pod.metadata.namespace ?? 'default';
    const sa = pod.spec.serviceAccountName || 'default';
    const issued = Date.now();
    const r = (await this.deps.client.create(`/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: {
        audiences: audience ? [audience] : [],
        expirationSeconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid },
      },
    })) as { status?: { token?: string; expirationTimestamp?: string } };
    const token = r.status?.token;
    if (!token) throw new Error('the TokenRequest answer has no token');
    const expires = Date.parse(r.status?.expirationTimestamp ?? '') || issued + expirationSeconds * 1000;
    this.tokens.set(key, { token, refreshAt: issued + 0.8 * (expires - issued), podUid: uid });
    return token;
  }

  private async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return (await this.opts.client.get(path)) as T;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async start(): Promise<void> {
    this.informer.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (_o, p) => this.podChanged(p),
      onDelete: (p) => this.workers.get(p.metadata.uid ?? '')?.update(undefined),
    });
    this.informer.start();
    this.services.start();
    // Containers must not start without their Service variables (upstream waits for the service informer too).
    await Promise.all([this.informer.waitForSync(), this.services.waitForSync()]);
    await this.adoptOrphans();
    this.scheduleRelist();
  }

  /** Pods this agent currently runs a worker for. */
  podUids(): string[] {
    return [...this.workers.keys()];
  }

  /** Resolves once no worker remains for uid (its pod was torn down). */
  async waitForTeardown(uid: string): Promise<void> {
    await this.workers.get(uid)?.done;
  }

  /** Stops workers and watches; containers keep running for the next agent to adopt. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relistTimer) clearTimeout(this.relistTimer);
    this.informer.stop();
    this.services.stop();
    // A worker may be inside a long call (stopping a container with its grace period): do not hold the
    // agent's shutdown for it. Containers keep running; a restarted agent adopts and finishes the work.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.workers.values()].map((w) => w.stop())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    this.workers.clear();
  }

  private podChanged(pod: BoundPod): void {
    if (this.stopped) return;
    const uid = pod.metadata.uid;
    if (!uid) return;
    const w = this.workers.get(uid);
    if (w) w.update(pod);
    else this.workers.set(uid, new PodWorker(this.deps, pod));
  }

  /** Sandboxes whose pod is gone from the API get a worker with no pod: it tears them down. */
  private async adoptOrphans(): Promise<void> {
    const known = new Set(this.informer.list().map((p) => p.metadata.uid));
    for (const s of await this.opts.runtime.listPodSandboxes()) {
      const uid = s.labels[LABEL_POD_UID];
      if (!uid || known.has(uid) || this.workers.has(uid)) continue;
      const ghost: BoundPod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          uid,
          name: s.labels[LABEL_POD_NAME] ?? s.metadata.name,
          namespace: s.labels[LABEL_POD_NAMESPACE] ?? s.metadata.namespace,
        },
        spec: { containers: [] },
      };
      const w = new PodWorker(this.deps, ghost);
      this.workers.set(uid, w);
      w.update(undefined);
    }
  }

  private scheduleRelist(): void {
    if (this.stopped) return;
    this.relistTimer = setTimeout(() => void this.relist(), this.opts.relistMs ?? 1000);
  }

  /** One list of all containers; workers whose containers changed state are woken. */
  private async relist(): Promise<void> {
    if (this.relisting || this.stopped) return;
    this.relisting = true;
    try {
      const [sandboxes, containers] = await Promise.all([
        this.opts.runtime.listPodSandboxes(),
        this.opts.runtime.listContainers(),
      ]);
      const prints = new Map<string, string[]>();
      for (const s of sandboxes) {
        const uid = s.labels[LABEL_POD_UID];
        // Workers create sandboxes themselves; only a sandbox that stopped needs their attention.
        if (uid && s.state !== 'ready') prints.set(uid, [...(prints.get(uid) ?? []), `s:${s.id}:${s.state}`]);
      }
      for (const c of containers) {
        const uid = c.labels[LABEL_POD_UID];
        if (uid) prints.set(uid, [...(prints.get(uid) ?? []), `c:${c.id}:${c.state}`]);
      }
      const next = new Map<string, string>();
      for (const [uid, parts] of prints) next.set(uid, parts.sort().join(','));
      for (const uid of new Set([...next.keys(), ...this.fingerprints.keys()])) {
        if (next.get(uid) !== this.fingerprints.get(uid)) this.workers.get(uid)?.wake();
      }
      this.fingerprints = next;
    } catch (err) {
      this.opts.log('runtime relist failed', { error: String(err) });
    } finally {
      this.relisting = false;
      this.scheduleRelist();
    }
  }
}
