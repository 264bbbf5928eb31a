// LeaderElector: one active instance among several, on a coordination.k8s.io/v1 Lease, after
// client-go's tools/leaderelection.
// - Acquire: take the Lease when absent, released (no holder) or expired. "Expired" is judged on our
//   own clock: leaseDurationSeconds after we last saw the record change, so clock skew between
//   machines does not matter. Every write carries the resourceVersion read, so two candidates racing
//   for one Lease cannot both win (the loser gets 409 Conflict).
// - Renew every retryPeriod; if no renewal succeeds for renewDeadline, stop leading. Because
//   renewDeadline < leaseDuration, the old leader stops before anyone else may take over.
// - After losing the lease, campaign again (once onStoppedLeading has finished): upstream's components
//   exit and their supervisor restarts them; Tutti's run inside the server, so the elector does the
//   restart, and a component that lost its lease under load comes back instead of staying stopped.

import { resources } from '../core/resources.js';
import { rfc3339Micro } from '../core/time.js';
import type { Lease } from '../core/types.js';
import type { ApiClient } from './api-client.js';
import { isNotFound } from './errors.js';
import { resourcePath } from './paths.js';

export interface LeaderElectorOptions {
  client: ApiClient;
  namespace: string;
  name: string;
  /** Unique per candidate, e.g. hostname plus a random suffix. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Clear the holder on stop() so a successor need not wait for expiry. Default true. */
  releaseOnStop?: boolean;
  /** Runs when leadership is gained; the signal aborts when it is lost or stop() is called. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Runs when leadership is lost or stopped; the next campaign waits for its promise. */
  onStoppedLeading(): void | Promise<void>;
  onNewLeader?(identity: string): void;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly path: string;
  private stopped = false;
  private leading = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** The last Lease we read or wrote, and when (our clock) its record last changed. */
  private observed: Lease | undefined;
  private observedRecord = '';
  private observedTime = 0;
  private reportedLeader = '';

  constructor(private readonly opts: LeaderElectorOptions) {
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must exceed renewDeadline');
    if (this.renewDeadlineMs <= this.retryPeriodMs * 1.2)
      throw new Error('renewDeadline must exceed 1.2 × retryPeriod');
    if (this.leaseDurationMs % 1000 !== 0)
      throw new Error('leaseDuration must be whole seconds (Lease stores seconds)');
    this.path = resourcePath(resources.leases, { namespace: opts.namespace, name: opts.name });
  }

  /** Campaigns and leads, campaigning again whenever leadership is lost, until stop(). Resolves after stop(). */
  run(): Promise<void> {
    this.running ??= (async () => {
      while (!this.stopped) {
        await this.campaign();
        if (!this.stopped) this.log('leader election: lost the lease; campaigning again', {});
      }
    })();
    return this.running;
  }

  /** Stops campaigning or leading (calling onStoppedLeading if leading) and releases the Lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder we last observed ('' when none). */
  leader(): string {
    return this.observed?.spec?.holderIdentity ?? '';
  }

  private async campaign(): Promise<void> {
    while (!this.stopped && !(await this.tryAcquireOrRenew())) {
      await this.sleep(this.retryPeriodMs * (1 + Math.random() * 0.2));
    }
    if (this.stopped) {
      // stop() may land while the winning write is in flight: give the Lease back.
      if (this.opts.releaseOnStop ?? true) await this.release();
      return;
    }
    this.leading = true;
    const lost = new AbortController();
    this.log('leader election: started leading', {});
    Promise.resolve()
      .then(() => this.opts.onStartedLeading(lost.signal))
      .catch((err: unknown) => this.log('leader election: onStartedLeading failed', { error: String(err) }));

    let lastRenew = Date.now();
    while (!this.stopped) {
      await this.sleep(this.retryPeriodMs);
      if (this.stopped) break;
      const remaining = lastRenew + this.renewDeadlineMs - Date.now();
      if (await withTimeout(this.tryAcquireOrRenew(), remaining)) lastRenew = Date.now();
      else if (Date.now() - lastRenew >= this.renewDeadlineMs) {
        this.log('leader election: failed to renew within the deadline', { renewDeadlineMs: this.renewDeadlineMs });
        break;
      }
    }
    this.leading = false;
    lost.abort();
    try {
      await this.opts.onStoppedLeading();
    } catch (err) {
      this.log('leader election: onStoppedLeading failed', { error: String(err) });
    }
    if (this.stopped && (this.opts.releaseOnStop ?? true)) await this.release();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = Date.now();
    const { client, identity } = this.opts;
    let lease: Lease | undefined;
    try {
      lease = await client.get<Lease>(this.path);
    } catch (err) {
      if (!isNotFound(err)) {
        this.log('leader election: get lease failed', { error: String(err) });
        return false;
      }
    }
    const spec: NonNullable<Lease['spec']> = {
      holderIdentity: identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: rfc3339Micro(now),
      renewTime: rfc3339Micro(now),
      leaseTransitions: 0,
    };
    if (!lease) {
      const body: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.opts.name, namespace: this.opts.namespace },
        spec,
      };
      return this.write(() =>
        client.create<Lease>(resourcePath(resources.leases, { namespace: this.opts.namespace }), body),
      );
    }

    this.observe(lease, now);
    const old = lease.spec ?? {};
    const holder = old.holderIdentity ?? '';
    const validUntil = this.observedTime + (old.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== identity && validUntil > now) return false;
    if (holder === identity) {
      spec.acquireTime = old.acquireTime ?? spec.acquireTime;
      spec.leaseTransitions = old.leaseTransitions ?? 0;
    } else {
      spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1;
    }
    // metadata.resourceVersion is carried over: the update fails with 409 if anyone wrote in between.
    return this.write(() => client.update<Lease>(this.path, { ...lease, spec }));
  }

  private async write(op: () => Promise<Lease>): Promise<boolean> {
    try {
      this.observe(await op(), Date.now());
      return true;
    } catch (err) {
      this.log('leader election: lease write failed', { error: String(err) });
      return false;
    }
  }

  private observe(lease: Lease, now: number): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedTime = now;
    }
    this.observed = lease;
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder) this.opts.onNewLeader?.(holder);
    }
  }

  /** Clears the holder if it is still us, so a successor can take over at once. */
  private async release(): Promise<void> {
    const lease = this.observed;
    if (!lease || lease.spec?.holderIdentity !== this.opts.identity) return;
    const now = rfc3339Micro(Date.now());
    const spec: NonNullable<Lease['spec']> = {
      ...lease.spec,
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
    };
    try {
      this.observe(await this.opts.client.update<Lease>(this.path, { ...lease, spec }), Date.now());
    } catch (err) {
      this.log('leader election: release failed', { error: String(err) });
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  private log(message: string, fields: Record<string, unknown>): void {
    this.opts.log?.(message, {
      lease: `${this.opts.namespace}/${this.opts.name}`,
      identity: this.opts.identity,
      ...fields,
    });
  }
}

/** Resolves false if the attempt does not finish in time (a hung request must not outlive the deadline). */
function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(false);
      },
    );
  });
}
