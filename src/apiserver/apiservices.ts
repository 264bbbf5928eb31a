// The Local APIServices every cluster lists (apiregistration.k8s.io/v1), as kube-apiserver's autoregister
// controller creates them on start: one per served group-version that upstream's priority table names,
// called `<version>.<group>` (`v1.` for the core group), with no service, that table's
// groupPriorityMinimum and versionPriority, the `kube-aggregator.kubernetes.io/automanaged: onstart` label
// and an Available condition with reason Local. (cmd/kube-apiserver/app/aggregator.go and
// pkg/controlplane/apiserver/aggregator.go hold the table.)
import { StatusError } from '../core/status.js';
import { rfc3339 } from '../core/time.js';
import type { KubeObject } from '../core/types.js';
import type { ObjectPipeline } from './pipeline/index.js';

/** `group/version` -> [groupPriorityMinimum, versionPriority], upstream's values for the versions Tutti serves. */
const PRIORITIES: Record<string, [number, number]> = {
  '/v1': [18000, 1],
  'apps/v1': [17800, 15],
  'events.k8s.io/v1': [17750, 15],
  'authentication.k8s.io/v1': [17700, 15],
  'authorization.k8s.io/v1': [17600, 15],
  'autoscaling/v1': [17500, 15],
  'autoscaling/v2': [17500, 30],
  'batch/v1': [17400, 15],
  'certificates.k8s.io/v1': [17300, 15],
  'networking.k8s.io/v1': [17200, 15],
  'policy/v1': [17100, 15],
  'rbac.authorization.k8s.io/v1': [17000, 15],
  'storage.k8s.io/v1': [16800, 15],
  'apiextensions.k8s.io/v1': [16700, 15],
  'admissionregistration.k8s.io/v1': [16700, 15],
  'scheduling.k8s.io/v1': [16600, 15],
  'coordination.k8s.io/v1': [16500, 15],
  'node.k8s.io/v1': [16300, 15],
  'discovery.k8s.io/v1': [16200, 15],
  'flowcontrol.apiserver.k8s.io/v1': [16100, 21],
};

const FIELD_MANAGER = 'tutti-apiserver';
export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

/** The Local APIService objects for the given served group-versions (spec and labels; no status). */
export function localApiServices(groupVersions: { group: string; version: string }[]): KubeObject[] {
  const seen = new Set<string>();
  const out: KubeObject[] = [];
  for (const { group, version } of groupVersions) {
    const key = `${group}/${version}`;
    const p = PRIORITIES[key];
    if (!p || seen.has(key)) continue;
    seen.add(key);
    out.push({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `${version}.${group}`, labels: { [AUTOMANAGED_LABEL]: 'onstart' } },
      spec: { group, version, groupPriorityMinimum: p[0], versionPriority: p[1] },
    });
  }
  return out;
}

/** Creates the missing Local APIServices and marks them Available, as the aggregator's status controller does. */
export async function ensureLocalApiServices(pipeline: ObjectPipeline, now: Date): Promise<void> {
  const r = pipeline.registry.find('apiregistration.k8s.io', 'v1', 'apiservices');
  if (!r) return;
  for (const svc of localApiServices(pipeline.registry.all)) {
    const name = svc.metadata.name!;
    let current: KubeObject;
    try {
      current = (await pipeline.read({ resource: r, name })).object as KubeObject;
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
      try {
        current = await pipeline.create({ resource: r }, svc, { fieldManager: FIELD_MANAGER });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        continue;
      }
    }
    const conditions = (current.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Available')) continue;
    const status = {
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastTransitionTime: rfc3339(now),
          reason: 'Local',
          message: 'Local APIServices are always available',
        },
      ],
    };
    try {
      await pipeline.update(
        { resource: r, name, subresource: 'status' },
        { ...current, status },
        { fieldManager: FIELD_MANAGER },
      );
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
  }
}
