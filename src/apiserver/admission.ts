// Admission steps that need more than one object: namespace lifecycle, pod defaults that depend on
// configuration (default tolerations), QoS class, Service IP / NodePort allocation, and the LimitRanger and
// ResourceQuota plugins (the decisions are pure, in src/core/quota; here they meet the store).
import {
  applyLimitRangeDefaults,
  checkQuotaRequest,
  limitRangeViolation,
  type QuotaOperation,
} from '../core/quota/index.js';
import { claimHasNoClass, defaultClass } from '../core/storage-class.js';
import type { KubeObject, LimitRange, PersistentVolumeClaim, Pod, ResourceQuota, StorageClass } from '../core/types.js';
import { errors, field, type FieldError } from '../core/status.js';
import type { Compare, Store, TxnOp } from '../storage/store.js';
import { ObjectStorage, decodeKv, decodeKvKept, encodeForStorage } from './objects.js';
import { mountServiceAccountToken } from './serviceaccounts/admission.js';
import type { UserInfo } from './authz/attributes.js';
import type { ServedResource } from './resources.js';

export interface AdmissionConfig {
  /** tolerationSeconds of the default not-ready/unreachable NoExecute tolerations added to pods. */
  defaultTolerationSeconds: number;
  /** Service ClusterIP range, e.g. 10.43.0.0/16. */
  serviceCidr: string;
  nodePortRange: [number, number];
}

export const DEFAULT_ADMISSION: AdmissionConfig = {
  defaultTolerationSeconds: 300,
  serviceCidr: '10.43.0.0/16',
  nodePortRange: [30000, 32767],
};

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function serviceCidrRange(cidr: string): { first: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return { first: ipToInt(ip), size };
}

/** The first usable address of the service range: the `kubernetes` service's ClusterIP. */
export function apiServiceIp(cidr: string): string {
  return intToIp(serviceCidrRange(cidr).first + 1);
}

/** Rounds of read-decide-write a quota charge gets before it answers 409 (upstream retries 3 times). */
const QUOTA_RETRIES = 10;

/** One write as admission sees it. */
export interface AdmissionWrite {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  resource: ServedResource;
  subresource: string;
  namespace: string;
  name: string;
  /** The new object (create, update). */
  object?: KubeObject;
  /** The object before an update, the one deleted, or the pod of an eviction. */
  old?: KubeObject;
  /** A dry run: nothing may be charged or written. */
  dryRun?: boolean;
  /** A pods/binding write (the scheduler's), not a change of the object by its owner. */
  binding?: boolean;
  /** Who writes; none for the server's own writes. */
  user: UserInfo | undefined;
}

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export class Admission {
  private readonly namespaces: ObjectStorage;
  private readonly serviceAccounts: ObjectStorage;
  private readonly priorityClasses: ObjectStorage;
  private readonly limitRanges: ObjectStorage;
  private readonly quotas: ObjectStorage;
  private readonly storageClasses: ObjectStorage;

  constructor(
    private readonly store: Store,
    readonly config: AdmissionConfig,
  ) {
    this.namespaces = new ObjectStorage(store, { group: '', resource: 'namespaces', namespaced: false });
    this.serviceAccounts = new ObjectStorage(store, { group: '', resource: 'serviceaccounts', namespaced: true });
    this.priorityClasses = new ObjectStorage(store, {
      group: 'scheduling.k8s.io',
      resource: 'priorityclasses',
      namespaced: false,
    });
    this.limitRanges = new ObjectStorage(store, { group: '', resource: 'limitranges', namespaced: true });
    this.quotas = new ObjectStorage(store, { group: '', resource: 'resourcequotas', namespaced: true });
    this.storageClasses = new ObjectStorage(store, {
      group: 'storage.k8s.io',
      resource: 'storageclasses',
      namespaced: false,
    });
  }

  private async listLimitRanges(namespace: string | undefined): Promise<LimitRange[]> {
    if (!namespace) return [];
    const page = await this.limitRanges.list({ namespace });
    return page.kvs.map((kv) => decodeKvKept(kv) as LimitRange);
  }

  /**
   * LimitRanger (min/max/ratio of pods, min/max storage of claims) and ResourceQuota (charge the quotas, unless
   * dry-run) on creates and on updates of the object itself (claims against LimitRanges unless being deleted,
   * services and claims against quota); subresource writes, bindings and deletes pass.
   */
  private async limitsAndQuota(w: AdmissionWrite): Promise<void> {
    const { resource: res, object: obj, old } = w;
    if (w.operation === 'DELETE' || w.subresource !== '' || w.binding || !obj) return;
    if (!res.namespaced || !obj.metadata.namespace || !obj.metadata.name) return;
    const create = w.operation === 'CREATE';
    const limited =
      res.group === '' &&
      (create
        ? res.resource === 'pods' || res.resource === 'persistentvolumeclaims'
        : res.resource === 'persistentvolumeclaims' && !old?.metadata.deletionTimestamp);
    if (limited) {
      const why = limitRangeViolation(await this.listLimitRanges(obj.metadata.namespace), res.resource, obj);
      if (why) throw errors.forbiddenObject(res.group, res.resource, obj.metadata.name ?? '', why);
    }
    await this.chargeQuota(res, create ? 'create' : 'update', obj, create ? undefined : old, w.dryRun);
  }

  /**
   * ResourceQuota admission: decide on the quotas as stored, then write the new status.used of every quota
   * charged in one transaction that holds only if none of them changed since read; on a lost race, read and
   * decide again, so concurrent creates cannot both take the last unit.
   */
  private async chargeQuota(
    res: ServedResource,
    operation: QuotaOperation,
    obj: KubeObject,
    old: KubeObject | undefined,
    dryRun: boolean | undefined,
  ): Promise<void> {
    const namespace = obj.metadata.namespace!;
    let contended = '';
    for (let attempt = 0; attempt < QUOTA_RETRIES; attempt++) {
      const page = await this.quotas.list({ namespace });
      if (page.kvs.length === 0) return;
      const read = page.kvs.map((kv) => ({ kv, quota: decodeKv(kv) as ResourceQuota }));
      const decision = checkQuotaRequest(
        read.map((r) => r.quota),
        { group: res.group, resource: res.resource, operation, obj, old, nowMs: Date.now() },
      );
      if (!decision.allowed) {
        throw errors.forbiddenObject(res.group, res.resource, obj.metadata.name ?? '', decision.message);
      }
      if (decision.charged.size === 0 || dryRun) return;
      const compare: Compare[] = [];
      const puts: TxnOp[] = [];
      for (const { kv, quota } of read) {
        const used = decision.charged.get(quota.metadata.name ?? '');
        if (!used) continue;
        compare.push({ key: kv.key, target: 'mod', result: '=', value: kv.modRevision });
        puts.push({
          type: 'put',
          key: kv.key,
          value: encodeForStorage({ ...quota, status: { ...quota.status, used } }),
        });
      }
      const r = await this.store.txn(compare, puts);
      if (r.succeeded) return;
      contended = [...decision.charged.keys()][0] ?? '';
    }
    throw errors.conflict(
      '',
      'resourcequotas',
      contended,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }

  /**
   * The Priority admission on pod create: spec.priority and preemptionPolicy from the named PriorityClass
   * (403 when it does not exist), or from the global default class (the lowest value if several), else 0 and
   * PreemptLowerPriority; a priority or policy in the pod that differs from the class's is a 403.
   */
  private async admitPriority(pod: KubeObject): Promise<void> {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    pod.spec = spec;
    const forbid = (why: string) => errors.forbiddenObject('', 'pods', pod.metadata.name ?? '', why);
    let priority = 0;
    let policy: unknown = 'PreemptLowerPriority';
    const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    if (className) {
      const pc = await this.priorityClasses.read(undefined, className);
      if (!pc) throw forbid(`no PriorityClass with name ${className} was found`);
      priority = Number(pc.value ?? 0);
      policy = pc.preemptionPolicy;
    } else {
      const page = await this.priorityClasses.list({});
      let best: KubeObject | undefined;
      for (const kv of page.kvs) {
        const pc = decodeKvKept(kv);
        if (pc.globalDefault === true && (!best || Number(best.value) > Number(pc.value))) best = pc;
      }
      if (best) {
        spec.priorityClassName = best.metadata.name;
        priority = Number(best.value ?? 0);
        policy = best.preemptionPolicy;
      }
    }
    if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
      throw forbid(
        `the integer value of priority (${String(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      );
    }
    spec.priority = priority;
    if (policy !== undefined && policy !== null) {
      if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
        throw forbid(
          `the string value of PreemptionPolicy (${String(spec.preemptionPolicy)}) must not be provided in pod spec; priority admission controller computed ${String(policy)} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = policy;
    }
  }

  /** NamespaceLifecycle on delete: the immortal namespaces (default, kube-system, kube-public) stay. */
  checkDelete(res: ServedResource, name: string): void {
    if (res.group === '' && res.resource === 'namespaces' && IMMORTAL_NAMESPACES.has(name)) {
      throw errors.forbiddenObject('', 'namespaces', name, 'this namespace may not be deleted');
    }
  }

  /** Namespaced objects may only be created in an existing namespace that is not terminating. */
  async checkNamespace(res: ServedResource, namespace: string | undefined): Promise<void> {
    if (!res.namespaced || !namespace) return;
    const ns = await this.namespaces.read(undefined, namespace);
    if (!ns) throw errors.notFound('', 'namespaces', namespace);
    if (ns.metadata.deletionTimestamp && res.kind !== 'Event') {
      throw errors.forbidden(
        `${res.resource} "${'<name>'}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  /** Checks every write of a resource may make (e.g. RBAC escalation prevention); they throw to refuse. */
  readonly guards: ((
    res: ServedResource,
    obj: KubeObject,
    old: KubeObject | undefined,
    subresource: string | undefined,
    user: UserInfo | undefined,
  ) => void)[] = [];

  /** The guards alone (status writes, which skip the rest of admission). */
  runGuards(
    res: ServedResource,
    obj: KubeObject,
    old: KubeObject | undefined,
    subresource: string | undefined,
    user: UserInfo | undefined,
  ): void {
    for (const g of this.guards) g(res, obj, old, subresource, user);
  }

  /**
   * Validating admission of every write with what upstream's admission.Attributes carry (operation,
   * subresource, the old object), after the object passed validation; they throw to refuse (NodeRestriction,
   * added by the server). LimitRanger and ResourceQuota run after them, quota last as upstream (a charge is
   * made only for a write that every other plugin let through).
   */
  readonly validators: ((w: AdmissionWrite) => void | Promise<void>)[] = [];

  async validateWrite(w: AdmissionWrite): Promise<void> {
    for (const v of this.validators) await v(w);
    await this.limitsAndQuota(w);
  }

  async admitCreate(res: ServedResource, obj: KubeObject, user: UserInfo | undefined): Promise<void> {
    this.runGuards(res, obj, undefined, undefined, user);
    if (res.group === '' && res.kind === 'Pod') {
      // LimitRanger's defaults first: the QoS class and every later step see the defaulted resources.
      applyLimitRangeDefaults(await this.listLimitRanges(obj.metadata.namespace), obj as Pod);
      this.admitPod(obj);
      await this.admitPriority(obj);
      const saName = (obj.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName || 'default';
      mountServiceAccountToken(obj, await this.serviceAccounts.get(obj.metadata.namespace, saName));
    }
    if (res.group === '' && res.kind === 'Service') await this.allocateService(obj, undefined);
    if (res.group === '' && res.kind === 'PersistentVolumeClaim') await this.defaultStorageClass(obj);
  }

  /**
   * DefaultStorageClass: a claim created without any class (no `storageClassName`, not even "", and no beta
   * annotation) gets the default StorageClass, the newest when several are marked default. No default: unchanged.
   */
  private async defaultStorageClass(obj: KubeObject): Promise<void> {
    const claim = obj as PersistentVolumeClaim;
    if (!claimHasNoClass(claim)) return;
    const page = await this.storageClasses.list({});
    const def = defaultClass(page.kvs.map((kv) => decodeKv(kv) as StorageClass));
    if (!def?.metadata.name) return;
    claim.spec = { ...(claim.spec ?? {}), storageClassName: def.metadata.name };
  }

  async admitUpdate(
    res: ServedResource,
    obj: KubeObject,
    old: KubeObject,
    subresource: string | undefined,
    user: UserInfo | undefined,
  ): Promise<void> {
    this.runGuards(res, obj, old, subresource, user);
    if (res.group === '' && res.kind === 'Pod') {
      this.defaultTolerations(obj);
      // The priority set on create stays (validation refuses changes to it).
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      const oldSpec = (old.spec ?? {}) as Record<string, unknown>;
      if (spec.priority === undefined && oldSpec.priority !== undefined) spec.priority = oldSpec.priority;
      if (spec.preemptionPolicy === undefined && oldSpec.preemptionPolicy !== undefined)
        spec.preemptionPolicy = oldSpec.preemptionPolicy;
    }
    if (res.group === '' && res.kind === 'Service') {
      const spec = (obj.spec ?? {}) as Record<string, unknown>;
      const oldSpec = (old.spec ?? {}) as Record<string, unknown>;
      // An update that leaves clusterIP empty keeps the allocated one, as upstream does.
      if (!spec.clusterIP && oldSpec.clusterIP) {
        spec.clusterIP = oldSpec.clusterIP;
        if (!spec.clusterIPs && oldSpec.clusterIPs) spec.clusterIPs = oldSpec.clusterIPs;
      }
      obj.spec = spec;
      await this.allocateService(obj, old);
    }
  }

  async afterDelete(res: ServedResource, obj: KubeObject): Promise<void> {
    if (res.group === '' && res.kind === 'Service') await this.releaseService(obj, undefined);
  }

  async afterUpdate(res: ServedResource, obj: KubeObject, old: KubeObject): Promise<void> {
    if (res.group === '' && res.kind === 'Service') await this.releaseService(old, obj);
  }

  private admitPod(pod: KubeObject): void {
    this.defaultTolerations(pod);
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    const status = (pod.status ?? {}) as Record<string, unknown>;
    status.phase = status.phase ?? 'Pending';
    status.qosClass = qosClass(spec);
    pod.status = status;
  }

  /**
   * DefaultTolerationSeconds, on create and on update (so a PUT of the pod's own manifest, without them,
   * is not a change of tolerations): the not-ready and unreachable NoExecute tolerations unless tolerated.
   */
  private defaultTolerations(pod: KubeObject): void {
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    const tolerations = (spec.tolerations ?? []) as Toleration[];
    for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
      const has = tolerations.some(
        (t) => (t.key === key || (t.operator === 'Exists' && !t.key)) && (!t.effect || t.effect === 'NoExecute'),
      );
      if (!has) {
        tolerations.push({
          key,
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: this.config.defaultTolerationSeconds,
        });
      }
    }
    spec.tolerations = tolerations;
    pod.spec = spec;
  }

  private async claim(key: string): Promise<boolean> {
    const r = await this.store.txn(
      [{ key, target: 'create', result: '=', value: 0 }],
      [{ type: 'put', key, value: '{}' }],
    );
    return r.succeeded;
  }

  private async release(key: string): Promise<void> {
    await this.store.txn([], [{ type: 'delete', key }]);
  }

  private async allocateService(svc: KubeObject, old: KubeObject | undefined): Promise<void> {
    const spec = (svc.spec ?? {}) as Record<string, unknown>;
    svc.spec = spec;
    const type = (spec.type as string) ?? 'ClusterIP';
    const errs: FieldError[] = [];
    if (type !== 'ExternalName' && spec.clusterIP !== 'None') {
      const oldIp = (old?.spec as Record<string, unknown> | undefined)?.clusterIP;
      if (!spec.clusterIP) {
        spec.clusterIP = await this.allocateIp();
      } else if (spec.clusterIP !== oldIp) {
        const ip = String(spec.clusterIP);
        const { first, size } = serviceCidrRange(this.config.serviceCidr);
        const n = ipToInt(ip);
        if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || n <= first || n >= first + size - 1) {
          errs.push(
            field.invalid(
              'spec.clusterIPs',
              [ip],
              `provided IP is not in the valid range. The range of valid IPs is ${this.config.serviceCidr}`,
            ),
          );
        } else if (!(await this.claim(`/registry/ranges/serviceips/${ip}`))) {
          errs.push(field.invalid('spec.clusterIPs', [ip], 'failed to allocate IP: provided IP is already allocated'));
        }
      }
      spec.clusterIPs = [spec.clusterIP];
    }
    if (type === 'NodePort' || type === 'LoadBalancer') {
      const oldPorts = new Set(
        (((old?.spec as Record<string, unknown> | undefined)?.ports ?? []) as { nodePort?: number }[])
          .map((p) => p.nodePort)
          .filter((p): p is number => typeof p === 'number'),
      );
      const ports = (spec.ports ?? []) as { nodePort?: number }[];
      for (const [i, p] of ports.entries()) {
        if (p.nodePort && oldPorts.has(p.nodePort)) continue;
        if (p.nodePort) {
          const [lo, hi] = this.config.nodePortRange;
          if (p.nodePort < lo || p.nodePort > hi) {
            errs.push(
              field.invalid(
                `spec.ports[${i}].nodePort`,
                p.nodePort,
                `provided port is not in the valid range. The range of valid ports is ${lo}-${hi}`,
              ),
            );
          } else if (!(await this.claim(`/registry/ranges/servicenodeports/${p.nodePort}`))) {
            errs.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
          }
        } else {
          p.nodePort = await this.allocateNodePort();
        }
      }
    }
    if (errs.length > 0) throw errors.invalid('', 'Service', svc.metadata.name ?? '', errs);
  }

  private async releaseService(svc: KubeObject, kept: KubeObject | undefined): Promise<void> {
    const spec = (svc.spec ?? {}) as Record<string, unknown>;
    const keptSpec = (kept?.spec ?? {}) as Record<string, unknown>;
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== 'None' && spec.clusterIP !== keptSpec.clusterIP) {
      await this.release(`/registry/ranges/serviceips/${spec.clusterIP}`);
    }
    const keptPorts = new Set(((keptSpec.ports ?? []) as { nodePort?: number }[]).map((p) => p.nodePort));
    for (const p of (spec.ports ?? []) as { nodePort?: number }[]) {
      if (p.nodePort && !keptPorts.has(p.nodePort))
        await this.release(`/registry/ranges/servicenodeports/${p.nodePort}`);
    }
  }

  private async allocateIp(): Promise<string> {
    const { first, size } = serviceCidrRange(this.config.serviceCidr);
    // Random probing, then a linear sweep: the range is large, collisions are rare.
    for (let attempt = 0; attempt < size; attempt++) {
      const offset = attempt < 64 ? 2 + Math.floor(Math.random() * (size - 3)) : 2 + (attempt % (size - 3));
      const ip = intToIp(first + offset);
      if (await this.claim(`/registry/ranges/serviceips/${ip}`)) return ip;
    }
    throw errors.internal('failed to allocate a serviceIP: range is full');
  }

  private async allocateNodePort(): Promise<number> {
    const [lo, hi] = this.config.nodePortRange;
    const span = hi - lo + 1;
    for (let attempt = 0; attempt < span; attempt++) {
      const port = attempt < 64 ? lo + Math.floor(Math.random() * span) : lo + (attempt % span);
      if (await this.claim(`/registry/ranges/servicenodeports/${port}`)) return port;
    }
    throw errors.internal('failed to allocate a nodePort: range is full');
  }
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

/** Upstream's QoS classes: Guaranteed, Burstable, BestEffort. */
export function qosClass(spec: Record<string, unknown>): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [
    ...((spec.containers ?? []) as { resources?: Resources }[]),
    ...((spec.initContainers ?? []) as { resources?: Resources }[]),
  ];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r]) guaranteed = false;
      else if (req[r] && req[r] !== lim[r]) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
