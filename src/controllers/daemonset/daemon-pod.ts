// The pod a DaemonSet creates for one node (upstream util.AddOrUpdateDaemonPodTolerations and
// ReplaceDaemonSetPodNodeNameNodeAffinity): the template, the daemonset tolerations, a required node
// affinity to that node by metadata.name (the scheduler places it), and the revision labels.

import {
  type DaemonSet,
  type Pod,
  type PodSpec,
  type PodTemplateSpec,
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  type Toleration,
} from '../../core/index.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** A pod built by newDaemonPod: its spec is always set. */
export type DaemonPod = Pod & { spec: PodSpec };

function addToleration(list: Toleration[], t: Toleration): void {
  if (!list.some((x) => x.key === t.key && x.effect === t.effect && (x.operator ?? 'Equal') === t.operator))
    list.push(t);
}

/** The template's pod spec with the tolerations every daemon pod gets (taints must not evict node agents). */
export function daemonPodSpec(template: PodTemplateSpec | undefined): PodSpec {
  const spec: PodSpec = structuredClone(template?.spec ?? { containers: [] });
  const tolerations = [...(spec.tolerations ?? [])];
  addToleration(tolerations, { key: TAINT_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  addToleration(tolerations, { key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  addToleration(tolerations, { key: TAINT_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addToleration(tolerations, { key: TAINT_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addToleration(tolerations, { key: TAINT_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addToleration(tolerations, { key: TAINT_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork)
    addToleration(tolerations, { key: TAINT_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  spec.tolerations = tolerations;
  return spec;
}

/** The node a daemon pod is for: spec.nodeName once bound, else its matchFields metadata.name affinity. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const t of terms) {
    for (const f of t.matchFields ?? [])
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string): DaemonPod {
  const spec = daemonPodSpec(ds.spec?.template);
  spec.affinity = {
    ...(spec.affinity ?? {}),
    nodeAffinity: {
      ...(spec.affinity?.nodeAffinity ?? {}),
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
  const meta = ds.spec?.template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ds.metadata.name}-`,
      namespace: ds.metadata.namespace,
      labels: {
        ...(meta.labels ?? {}),
        [REVISION_HASH_LABEL]: hash,
        [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1),
      },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: ds.metadata.name ?? '',
          uid: ds.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}
