// NetworkPolicy's control loop: informers on NetworkPolicies, Pods and Namespaces mark the ruleset dirty;
// a sync (at most one per minSyncPeriod) computes the verdicts of this node's pods and, when the script
// differs from the one in the kernel, applies it whole in one atomic `nft -f` transaction.
//   informers ─▶ computePolicy (pure) ─▶ policyScript (pure) ─▶ nft -f - (inet tutti-policy)
import type { ApiClient } from '../../client/index.js';
import { Informer } from '../../client/index.js';
import { type Namespace, type NetworkPolicy, type Pod, resources } from '../../core/index.js';
import { type Exec, hostExec } from '../proxy/adapter/exec.js';
import { computePolicy, type PodVerdict } from './compute.js';
import { deleteScript, policyScript } from './nft.js';

export type PolicyLog = (msg: string, fields: Record<string, unknown>) => void;

export interface NetworkPolicyOptions {
  client: ApiClient;
  /** Enforce for the pods of this node (spec.nodeName). */
  nodeName: string;
  minSyncPeriodMs?: number;
  /** Period of a forced re-apply (repairs a table someone else changed). Default 60 s. */
  resyncPeriodMs?: number;
  netns?: string;
  exec?: Exec;
  log?: PolicyLog;
  onSync?: (e: { ok: boolean; error?: string; verdicts: PodVerdict[]; applied: boolean }) => void;
}

export class NetworkPolicyController {
  private readonly exec: Exec;
  private readonly log: PolicyLog;
  private readonly policies: Informer<NetworkPolicy>;
  private readonly pods: Informer<Pod>;
  private readonly namespaces: Informer<Namespace>;
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private applied: string | undefined;
  private verdicts: PodVerdict[] = [];

  constructor(private readonly opts: NetworkPolicyOptions) {
    this.exec = opts.exec ?? hostExec(opts.netns);
    this.log = opts.log ?? (() => {});
    const inf = <T extends NetworkPolicy | Pod | Namespace>(resource: (typeof resources)[keyof typeof resources]) =>
      new Informer<T>({ client: opts.client, resource, log: this.log });
    this.policies = inf<NetworkPolicy>(resources.networkpolicies);
    this.pods = inf<Pod>(resources.pods);
    this.namespaces = inf<Namespace>(resources.namespaces);
  }

  async start(): Promise<void> {
    const mark = () => this.schedule();
    for (const i of [this.policies, this.pods, this.namespaces] as Informer<NetworkPolicy | Pod | Namespace>[]) {
      i.addEventHandler({ onAdd: mark, onUpdate: mark, onDelete: mark });
      i.start();
    }
    await Promise.all([this.policies.waitForSync(), this.pods.waitForSync(), this.namespaces.waitForSync()]);
    if (this.stopped) return;
    this.periodic = setInterval(() => {
      this.applied = undefined;
      this.schedule();
    }, this.opts.resyncPeriodMs ?? 60_000);
    this.periodic.unref?.();
    await this.syncNow();
  }

  current(): PodVerdict[] {
    return this.verdicts;
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

  async stop(): Promise<void> {
    this.stopped = true;
    for (const i of [this.policies, this.pods, this.namespaces]) i.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.periodic) clearInterval(this.periodic);
    await this.running;
    await this.exec('nft', ['-f', '-'], deleteScript());
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.syncNow();
    }, this.opts.minSyncPeriodMs ?? 20);
    this.timer.unref?.();
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const verdicts = computePolicy({
      policies: this.policies.cache.list(),
      pods: this.pods.cache.list(),
      namespaces: this.namespaces.cache.list(),
      node: this.opts.nodeName,
    });
    const script = policyScript(verdicts);
    if (script === this.applied) {
      this.verdicts = verdicts;
      this.opts.onSync?.({ ok: true, verdicts, applied: false });
      return;
    }
    const r = await this.exec('nft', ['-f', '-'], script);
    if (r.code !== 0) {
      const error = `nft transaction failed: ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`;
      this.applied = undefined;
      this.log('network policy sync failed', { error });
      this.opts.onSync?.({ ok: false, error, verdicts, applied: false });
      setTimeout(() => this.schedule(), 1000).unref?.();
      return;
    }
    this.applied = script;
    this.verdicts = verdicts;
    this.opts.onSync?.({ ok: true, verdicts, applied: true });
  }
}
