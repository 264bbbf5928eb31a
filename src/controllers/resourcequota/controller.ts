// Resource quota controller (upstream pkg/controller/resourcequota): status.hard and status.used of every
// ResourceQuota, recomputed when objects of its namespace change and on a periodic full resync.
//
// quotas, pods, services, claims, configmaps, secrets, replicationcontrollers (informers; other `count/<r>.<g>`
// resources, custom resources too (found by their CRD, named `<r>.<g>`), are listed from the API at each sync) ──▶ queue of quota keys ──▶ sync: quotaUsed (src/core/quota)
//   ─▶ PUT status when hard or used changed
// The usage rules live in src/core/quota/usage.ts, shared with the API server's quota admission.

import { NAMESPACE_INDEX, resourcePath, WorkQueue, isNotFound } from '../../client/index.js';
import { CATALOG } from '../../api/catalog.js';
import {
  type KubeObject,
  quotaUsed,
  type ResourceDescriptor,
  type ResourceQuota,
  resourceMeasuredOn,
  resources,
  jsonEqual,
} from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runPeriodically, runWorkers } from '../context.js';

export const RESOURCEQUOTA_COMPONENT = 'resourcequota-controller';

export interface ResourceQuotaControllerOptions {
  workers?: number;
  /** Full recalculation period (upstream --resource-quota-sync-period, 5 minutes). */
  resyncMs?: number;
}

/** The kinds watched here, by `<group>/<resource>`; other counted kinds are listed at sync time. */
const WATCHED: Record<string, ResourceDescriptor> = {
  '/pods': resources.pods,
  '/services': resources.services,
  '/persistentvolumeclaims': resources.persistentvolumeclaims,
  '/configmaps': resources.configmaps,
  '/secrets': resources.secrets,
  '/replicationcontrollers': resources.replicationcontrollers,
  '/resourcequotas': resources.resourcequotas,
};

export function startResourceQuotaController(
  ctx: ControllerContext,
  opts: ResourceQuotaControllerOptions = {},
): RunningController {
  const { client, clock, log } = ctx;
  const queue = new WorkQueue<string>({ clock });
  const informers = Object.fromEntries(
    Object.entries(WATCHED).map(([k, d]) => [k, ctx.informers.forResource<KubeObject>(d)]),
  );
  // The same shared informer as in `informers`, typed.
  const quotas = ctx.informers.forResource<ResourceQuota>(resources.resourcequotas);

  const enqueueNamespace = (obj: KubeObject) => {
    for (const q of quotas.byIndex(NAMESPACE_INDEX, obj.metadata.namespace ?? '')) queue.add(keyOf(q));
  };
  // Object counts change on add and delete; pods, services and claims also when what they are charged changes.
  const charged = (o: KubeObject) => [
    o.spec,
    (o.status as { phase?: string } | undefined)?.phase,
    o.metadata.deletionTimestamp,
    o.metadata.annotations,
  ];
  for (const [kind, inf] of Object.entries(informers)) {
    inf.addEventHandler({
      onAdd: enqueueNamespace,
      onDelete: enqueueNamespace,
      onUpdate: (old, cur) => {
        if (kind === '/resourcequotas') {
          if (!jsonEqual(old.spec, cur.spec)) queue.add(keyOf(cur));
          return;
        }
        // Only a namespace with a quota has anything to recount (most pod updates are in none).
        if (!['/pods', '/services', '/persistentvolumeclaims'].includes(kind)) return;
        if (quotas.byIndex(NAMESPACE_INDEX, cur.metadata.namespace ?? '').length === 0) return;
        if (!jsonEqual(charged(old), charged(cur))) enqueueNamespace(cur);
      },
    });
  }

  /** The objects of a namespace that a quota resource is measured on: from a cache, or listed from the API. */
  const objectsOf = async (ns: string, group: string, resource: string): Promise<readonly KubeObject[] | undefined> => {
    const watched = informers[`${group}/${resource}`];
    if (watched) return watched.byIndex(NAMESPACE_INDEX, ns);
    const info = CATALOG.find((r) => r.group === group && r.resource === resource && r.preferred && r.namespaced);
    if (info) {
      if (!info.verbs.includes('list')) return undefined;
      const list = await client.list(resourcePath(info, { namespace: ns }));
      return list.items;
    }
    return group ? customObjects(ns, group, resource) : undefined;
  };

  /**
   * Objects of a custom resource (`count/<plural>.<group>`): the CRD is named `<plural>.<group>`; its storage
   * version's namespaced objects are listed. Undefined when there is no such namespaced CRD.
   */
  const customObjects = async (ns: string, group: string, resource: string) => {
    let crd: KubeObject;
    try {
      crd = await client.get(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(`${resource}.${group}`)}`,
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const spec = crd.spec as { scope?: string; versions?: { name: string; served?: boolean; storage?: boolean }[] };
    const version = spec.versions?.find((v) => v.storage && v.served) ?? spec.versions?.find((v) => v.served);
    if (spec.scope !== 'Namespaced' || !version) return undefined;
    const list = await client.list(
      `/apis/${group}/${version.name}/namespaces/${encodeURIComponent(ns)}/${encodeURIComponent(resource)}`,
    );
    return list.items;
  };

  const sync = async (key: string): Promise<void> => {
    const cached = quotas.get(key);
    if (!cached) return;
    const quota: ResourceQuota = { ...cached, apiVersion: 'v1', kind: 'ResourceQuota' };
    const ns = quota.metadata.namespace ?? '';
    const lists = new Map<string, readonly KubeObject[] | undefined>();
    for (const name of Object.keys(quota.spec?.hard ?? {})) {
      const on = resourceMeasuredOn(name);
      if (!on || lists.has(`${on.group}/${on.resource}`)) continue;
      lists.set(`${on.group}/${on.resource}`, await objectsOf(ns, on.group, on.resource));
    }
    const used = quotaUsed(quota, (g, r) => lists.get(`${g}/${r}`), clock.now());
    const hard = { ...(quota.spec?.hard ?? {}) } as Record<string, string>;
    const status = { hard, used };
    if (jsonEqual(status, { hard: quota.status?.hard ?? {}, used: quota.status?.used ?? {} })) return;
    try {
      await client.updateStatus(resourcePath(resources.resourcequotas, { namespace: ns, name: quota.metadata.name }), {
        ...quota,
        status,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const resync = runPeriodically({
    clock,
    periodMs: opts.resyncMs ?? 5 * 60_000,
    ready: () => quotas.hasSynced(),
    pass: async () => {
      for (const q of quotas.list()) queue.add(keyOf(q));
    },
    onError: (err) => log('resource quota resync failed', { controller: RESOURCEQUOTA_COMPONENT, error: String(err) }),
  });
  const workers = runWorkers({
    name: RESOURCEQUOTA_COMPONENT,
    ctx,
    queue,
    waitFor: Object.values(informers),
    workers: opts.workers ?? 2,
    sync,
  });
  return {
    name: RESOURCEQUOTA_COMPONENT,
    async stop() {
      await resync.stop();
      await workers.stop();
    },
  };
}
