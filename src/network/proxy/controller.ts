// The service proxy's control loop: Service and EndpointSlice informers mark services dirty; a sync
// (at most one per minSyncPeriod, so a burst of changes is one transaction) recomputes the dirty services'
// state, turns the change into one nft transaction, and applies it. A full resync runs at start, every
// syncPeriod, and after any failed transaction. Data flow:
//   informers ─▶ dirty service keys ─▶ model (serviceProxyState) ─▶ fragments ─▶ RulesetTracker
//     ─▶ nft -f - (one atomic transaction) ─▶ health-check servers, stale UDP conntrack entries
import type { ApiClient } from '../../client/index.js';
import { Informer, objectKey } from '../../client/index.js';
import { type EndpointSlice, resources, type Service } from '../../core/index.js';
import {
  conntrackFlushes,
  type Exec,
  ensureServiceDevice,
  ensureServiceRoute,
  hostExec,
  Nft,
  removeServiceDevice,
  removeServiceRoute,
  SERVICE_DEVICE,
} from './adapter/index.js';
import { NftSession, SESSION_MAX_BYTES } from './adapter/nft-session.js';
import { ServiceHealthServer } from './healthcheck/server.js';
import { SERVICE_NAME_LABEL } from './model/endpoints.js';
import { serviceProxyState } from './model/proxy-state.js';
import { type ConntrackFlush, staleUdpEntries } from './model/stale-udp.js';
import type { HealthCheck, NodeFacts, ServicePortState, ServiceProxyState } from './model/types.js';
import { baseFragment, DEFAULT_MASQUERADE_MARK, type RulesetConfig } from './nft/base.js';
import type { Fragment } from './nft/fragment.js';
import { servicePortFragment } from './nft/service.js';
import { deleteTableScript, type ExistingTable, fullSyncScript, RulesetTracker } from './nft/tracker.js';

export type ProxyLog = (msg: string, fields: Record<string, unknown>) => void;

export interface ServiceProxyOptions {
  client: ApiClient;
  node: NodeFacts;
  /** Least time between two syncs; changes inside it are coalesced into one transaction. Default 20 ms. */
  minSyncPeriodMs?: number;
  /** Period of the full resync. Default 1 hour (upstream's full-sync period; at 10,000 services one costs ~3 s of CPU). */
  syncPeriodMs?: number;
  /** Packet-mark bit that asks for masquerading. Default 0x4000, as kube-proxy. */
  masqueradeMark?: number;
  /**
   * The local route for the service CIDR: device (default the proxy's own empty bridge `tutti-svc`, made
   * and removed by the proxy) and source address for the node's own connections (default the node's first
   * IP). `false`: leave routing alone.
   */
  serviceRoute?: { device?: string; src?: string } | false;
  /** Address the health-check node ports listen on. Default: every address. `false`: no health checks. */
  healthCheckAddress?: string | false;
  /** Run nft/ip/conntrack in this network namespace (a name under /run/netns); for tests and benchmarks. */
  netns?: string;
  log?: ProxyLog;
  /** Called after every sync attempt. */
  onSync?: (e: SyncEvent) => void;
  /** Replaces the host tools (tests). */
  exec?: Exec;
}

export interface SyncEvent {
  kind: 'full' | 'partial';
  ok: boolean;
  error?: string;
  /** Service keys (namespace/name) whose rules this sync recomputed; every service for a full sync. */
  services: string[];
  /** Wall-clock ms (Date.now()) when the sync started and when its transaction was in the kernel. */
  startedAt: number;
  appliedAt: number;
  /** Time spent in nft (the kernel commit included). */
  applyMs: number;
  scriptBytes: number;
  servicePorts: number;
}

const BASE_FRAGMENT_KEY = ''; // sorts before every service port key

export class ServiceProxyController {
  private readonly exec: Exec;
  private readonly nft: Nft;
  /** Long-lived nft for incremental transactions (none when the host tools are replaced, in tests). */
  private readonly session?: NftSession;
  private readonly cfg: RulesetConfig;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly health?: ServiceHealthServer;
  private readonly log: ProxyLog;
  private readonly minSyncMs: number;
  private states = new Map<string, ServiceProxyState>();
  private tracker = new RulesetTracker();
  /** A full sync of this process has built the table (so the tracker knows which sets it holds). */
  private tableBuilt = false;
  private readonly dirty = new Set<string>();
  private needFullSync = true;
  private initialized = false;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private lastStart = 0;
  private retryAt = 0;
  private backoffMs = 1000;
  private healthy = false;
  private stopped = false;
  private routeAdded = false;
  private deviceAdded = false;

  constructor(private readonly opts: ServiceProxyOptions) {
    this.exec = opts.exec ?? hostExec(opts.netns);
    this.nft = new Nft(this.exec);
    if (!opts.exec) this.session = new NftSession(opts.netns);
    this.log = opts.log ?? (() => {});
    this.minSyncMs = opts.minSyncPeriodMs ?? 20;
    this.cfg = {
      serviceCidr: opts.node.serviceCidr,
      clusterCidr: opts.node.clusterCidr,
      masqueradeMark: opts.masqueradeMark ?? DEFAULT_MASQUERADE_MARK,
    };
    // Upstream's informer filters: services handled by another proxy, and headless slices, are not ours.
    this.services = new Informer<Service>({
      client: opts.client,
      resource: resources.services,
      labelSelector: '!service.kubernetes.io/service-proxy-name',
      log: this.log,
    });
    this.slices = new Informer<EndpointSlice>({
      client: opts.client,
      resource: resources.endpointslices,
      labelSelector: '!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name',
      indexers: { service: (s) => [sliceServiceKey(s) ?? ''] },
      log: this.log,
    });
    if (opts.healthCheckAddress !== false) {
      this.health = new ServiceHealthServer({
        host: opts.healthCheckAddress,
        proxyHealthy: () => this.healthy,
        log: this.log,
      });
    }
  }

  async start(): Promise<void> {
    const markService = (s: Service) => this.markDirty(objectKey(s.metadata));
    const markSlice = (s: EndpointSlice) => {
      const key = sliceServiceKey(s);
      if (key) this.markDirty(key);
    };
    this.services.addEventHandler({ onAdd: markService, onUpdate: (_o, s) => markService(s), onDelete: markService });
    this.slices.addEventHandler({
      onAdd: markSlice,
      onUpdate: (o, s) => {
        // A slice that changed its service label leaves the old service too.
        markSlice(o);
        markSlice(s);
      },
      onDelete: markSlice,
    });
    this.services.start();
    this.slices.start();
    await Promise.all([this.services.waitForSync(), this.slices.waitForSync()]);
    if (this.stopped) return;
    this.initialized = true;
    this.periodic = setInterval(() => {
      this.needFullSync = true;
      this.schedule();
    }, this.opts.syncPeriodMs ?? 3_600_000);
    this.periodic.unref?.();
    await this.syncNow();
  }

  /** Stops watching, removes the table and the route the proxy added, closes the health checks. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.services.stop();
    this.slices.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
    await this.running;
    this.session?.close();
    await this.health?.close();
    await this.nft.apply(deleteTableScript()).catch((err) => this.log('deleting table failed', { error: String(err) }));
    if (this.routeAdded) await removeServiceRoute(this.exec, this.opts.node.serviceCidr);
    if (this.deviceAdded) await removeServiceDevice(this.exec);
  }

  /** Whether the last sync succeeded. */
  isHealthy(): boolean {
    return this.healthy;
  }

  /** Runs a sync now (after any running one), for tests and the first sync. */
  async syncNow(): Promise<void> {
    while (this.running) await this.running;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.runSync();
  }

  /** Runs a full resync now. */
  async resync(): Promise<void> {
    this.needFullSync = true;
    await this.syncNow();
  }

  private markDirty(key: string): void {
    this.dirty.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || !this.initialized || this.timer || this.running) return;
    if (this.dirty.size === 0 && !this.needFullSync) return;
    const now = Date.now();
    const delay = Math.max(0, this.lastStart + this.minSyncMs - now, this.retryAt - now);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runSync();
    }, delay);
  }

  private runSync(): Promise<void> {
    const run = (async () => {
      this.lastStart = Date.now();
      try {
        if (this.needFullSync) await this.fullSync();
        else await this.partialSync();
        this.healthy = true;
        this.retryAt = 0;
        this.backoffMs = 1000;
      } catch (err) {
        this.healthy = false;
        this.needFullSync = true;
        this.retryAt = Date.now() + this.backoffMs;
        this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
        this.log('service proxy sync failed', { error: String(err), retryInMs: this.retryAt - Date.now() });
      }
    })();
    this.running = run;
    return run.finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private compute(key: string): ServiceProxyState | undefined {
    const svc = this.services.get(key);
    if (!svc) return undefined;
    return serviceProxyState(svc, this.slices.byIndex('service', key), this.opts.node) ?? undefined;
  }

  private async partialSync(): Promise<void> {
    const keys = [...this.dirty];
    this.dirty.clear();
    if (keys.length === 0) return;
    const startedAt = Date.now();
    const changes = new Map<string, Fragment | undefined>();
    const flushes: ConntrackFlush[] = [];
    for (const key of keys) {
      const before = this.states.get(key);
      const after = this.compute(key);
      if (after) this.states.set(key, after);
      else this.states.delete(key);
      diffPorts(before, after, this.cfg, changes, flushes);
    }
    let script: string;
    try {
      script = this.tracker.update(changes);
    } catch (err) {
      this.needFullSync = true;
      throw err;
    }
    const t0 = performance.now();
    try {
      if (this.session && script.length <= SESSION_MAX_BYTES) await this.session.apply(script);
      else await this.nft.apply(script);
    } catch (err) {
      this.emit('partial', startedAt, keys, t0, script, err);
      throw err;
    }
    this.emit('partial', startedAt, keys, t0, script);
    await this.afterApply(flushes);
  }

  private async fullSync(): Promise<void> {
    const startedAt = Date.now();
    this.needFullSync = false;
    const previousSets = this.tracker.setKinds();
    const flushes: ConntrackFlush[] = [];
    if (!this.tableBuilt) {
      // First sync: the model of every service, from the caches.
      this.dirty.clear();
      this.states = new Map();
      for (const svc of this.services.list()) {
        const key = objectKey(svc.metadata);
        const st = this.compute(key);
        if (st) this.states.set(key, st);
      }
      const changes = new Map<string, Fragment>([[BASE_FRAGMENT_KEY, baseFragment(this.cfg)]]);
      for (const st of this.states.values())
        for (const p of st.ports) changes.set(p.key, servicePortFragment(p, this.cfg));
      this.tracker = RulesetTracker.of(changes);
    } else {
      // Later syncs rewrite the kernel from the tracker (which holds every service's current fragments)
      // after folding in what changed: the model is only recomputed for dirty services.
      const keys = [...this.dirty];
      this.dirty.clear();
      const changes = new Map<string, Fragment | undefined>();
      for (const key of keys) {
        const before = this.states.get(key);
        const after = this.compute(key);
        if (after) this.states.set(key, after);
        else this.states.delete(key);
        diffPorts(before, after, this.cfg, changes, flushes);
      }
      try {
        this.tracker.update(changes);
      } catch {
        // A set changed its definition: rebuild the tracker from the states.
        const all = new Map<string, Fragment>([[BASE_FRAGMENT_KEY, baseFragment(this.cfg)]]);
        for (const st of this.states.values())
          for (const p of st.ports) all.set(p.key, servicePortFragment(p, this.cfg));
        this.tracker = RulesetTracker.of(all);
      }
    }
    const rs = this.tracker.ruleset();
    const t0 = performance.now();
    // Refresh in place when the table is there and we know its sets (ours since our first full sync);
    // otherwise rebuild it, which also clears whatever an earlier process left.
    const chains = this.tableBuilt ? await this.nft.listChains() : undefined;
    const existing: ExistingTable | undefined = chains
      ? {
          chains,
          sets: [...previousSets].filter(([, kind]) => kind === 'set').map(([n]) => n),
          maps: [...previousSets].filter(([, kind]) => kind === 'map').map(([n]) => n),
        }
      : undefined;
    let script = fullSyncScript(rs, existing);
    try {
      await this.nft.apply(script);
    } catch (err) {
      if (!existing) {
        this.emit('full', startedAt, [...this.states.keys()], t0, script, err);
        throw err;
      }
      // The table holds something a refresh cannot change in place (a chain's hook, a set's type): rebuild it.
      this.log('refreshing the table failed; recreating it', { error: String(err) });
      script = fullSyncScript(rs);
      try {
        await this.nft.apply(script);
      } catch (err2) {
        this.emit('full', startedAt, [...this.states.keys()], t0, script, err2);
        throw err2;
      }
    }
    this.emit('full', startedAt, [...this.states.keys()], t0, script);
    this.tableBuilt = true;
    if (this.opts.serviceRoute !== false) {
      const src = this.opts.serviceRoute?.src ?? this.opts.node.ips[0];
      const device = this.opts.serviceRoute?.device ?? SERVICE_DEVICE;
      // `tutti-svc` is the proxy's by name: one left by a proxy that crashed is taken over and removed on stop.
      if (device === SERVICE_DEVICE) {
        await ensureServiceDevice(this.exec);
        this.deviceAdded = true;
      }
      const ours = await ensureServiceRoute(this.exec, { cidr: this.opts.node.serviceCidr, device, src });
      this.routeAdded ||= ours;
      if (!ours) this.log('a route for the service CIDR exists already; left as it is', { cidr: this.cfg.serviceCidr });
    }
    await this.afterApply(flushes);
  }

  private async afterApply(flushes: ConntrackFlush[]): Promise<void> {
    if (this.health) {
      const checks = new Map<string, HealthCheck>();
      for (const [key, st] of this.states) if (st.healthCheck) checks.set(key, st.healthCheck);
      await this.health.sync(checks);
    }
    if (flushes.length > 0) await conntrackFlushes(this.exec, flushes);
  }

  private emit(
    kind: SyncEvent['kind'],
    startedAt: number,
    services: string[],
    t0: number,
    script: string,
    err?: unknown,
  ) {
    const applyMs = performance.now() - t0;
    let servicePorts = 0;
    for (const st of this.states.values()) servicePorts += st.ports.length;
    const e: SyncEvent = {
      kind,
      ok: err === undefined,
      error: err === undefined ? undefined : String(err),
      services,
      startedAt,
      appliedAt: Date.now(),
      applyMs,
      scriptBytes: script.length,
      servicePorts,
    };
    if (kind === 'full' || !e.ok)
      this.log('service proxy sync', {
        kind,
        ok: e.ok,
        services: services.length,
        servicePorts,
        applyMs: Math.round(applyMs),
        bytes: script.length,
      });
    this.opts.onSync?.(e);
  }
}

/** `namespace/name` of the Service a slice belongs to. */
function sliceServiceKey(s: EndpointSlice): string | undefined {
  const name = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return name ? `${s.metadata.namespace ?? 'default'}/${name}` : undefined;
}

function diffPorts(
  before: ServiceProxyState | undefined,
  after: ServiceProxyState | undefined,
  cfg: RulesetConfig,
  changes: Map<string, Fragment | undefined> | undefined,
  flushes: ConntrackFlush[],
): void {
  const old = new Map<string, ServicePortState>((before?.ports ?? []).map((p) => [p.key, p]));
  const next = new Map<string, ServicePortState>((after?.ports ?? []).map((p) => [p.key, p]));
  for (const key of new Set([...old.keys(), ...next.keys()])) {
    const n = next.get(key);
    changes?.set(key, n ? servicePortFragment(n, cfg) : undefined);
    flushes.push(...staleUdpEntries(old.get(key), n));
  }
}
