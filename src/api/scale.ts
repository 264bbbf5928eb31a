// The scale subresource's per-kind policy: where a scalable kind keeps its replicas and how its label
// selector reads (upstream's scaleFromDeployment, scaleFromStatefulSet, scaleFromRC, ...). The API server
// serves autoscaling/v1 Scale generically and asks this module what each kind means.
import { formatLabels, labelSelectorFromObject, type LabelSelectorObject } from '../core/selectors/index.js';
import type { KubeObject } from '../core/types.js';
import { isPlainObject } from '../core/json.js';

/** How a kind's spec.selector is written: a metav1.LabelSelector, or a plain label map (ReplicationController). */
type SelectorShape = 'labelSelector' | 'map';

const SCALABLE: Record<string, SelectorShape> = {
  'apps/Deployment': 'labelSelector',
  'apps/ReplicaSet': 'labelSelector',
  'apps/StatefulSet': 'labelSelector',
  '/ReplicationController': 'map',
};

export interface ScalePolicy {
  /** spec.replicas, 0 when unset. */
  desiredReplicas(obj: KubeObject): number;
  /** status.replicas, 0 when unset. */
  currentReplicas(obj: KubeObject): number;
  /** Scale.status.selector: the selector in label-selector syntax, '' when there is none or it is invalid. */
  selector(obj: KubeObject): string;
  /** A copy of obj with spec.replicas set. */
  withReplicas(obj: KubeObject, replicas: number): KubeObject;
}

const count = (v: unknown): number => (typeof v === 'number' ? v : 0);
const member = (o: unknown, key: string): unknown => (isPlainObject(o) ? o[key] : undefined);

function selectorText(shape: SelectorShape, selector: unknown): string {
  if (!isPlainObject(selector)) return '';
  if (shape === 'map') return formatLabelsOrEmpty(selector as Record<string, string>);
  try {
    return labelSelectorFromObject(selector as LabelSelectorObject).toString();
  } catch {
    return '';
  }
}

/** labels.SelectorFromSet(...).String(): sorted `k=v` pairs; an empty map selects everything (''). */
function formatLabelsOrEmpty(map: Record<string, string>): string {
  return Object.keys(map).length === 0 ? '' : formatLabels(map);
}

function policy(shape: SelectorShape): ScalePolicy {
  return {
    desiredReplicas: (obj) => count(member(obj.spec, 'replicas')),
    currentReplicas: (obj) => count(member(obj.status, 'replicas')),
    selector: (obj) => selectorText(shape, member(obj.spec, 'selector')),
    withReplicas(obj, replicas) {
      const out = structuredClone(obj);
      out.spec = { ...(isPlainObject(out.spec) ? out.spec : {}), replicas };
      return out;
    },
  };
}

/** The scale policy of a kind, or undefined when the kind has no scale subresource. */
export function scalePolicyFor(group: string, kind: string): ScalePolicy | undefined {
  const shape = SCALABLE[`${group}/${kind}`];
  return shape ? policy(shape) : undefined;
}

/** The autoscaling/v1 Scale of a scalable object, as upstream's scale subresource returns it. */
export function scaleOf(group: string, kind: string, obj: KubeObject): KubeObject | undefined {
  const p = scalePolicyFor(group, kind);
  if (!p) return undefined;
  const selector = p.selector(obj);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: p.desiredReplicas(obj) },
    status: { replicas: p.currentReplicas(obj), ...(selector ? { selector } : {}) },
  };
}
