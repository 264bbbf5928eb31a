// Which kinds bump metadata.generation, and on changes of which field: upstream strategies set generation 1
// on create and add one in PrepareForUpdate when this field changes (status writes never do).
const GENERATION_FIELD: Record<string, 'spec' | 'template'> = {
  '/ReplicationController': 'spec',
  '/PodTemplate': 'template',
  'apps/Deployment': 'spec',
  'apps/ReplicaSet': 'spec',
  'apps/DaemonSet': 'spec',
  'apps/StatefulSet': 'spec',
  'batch/Job': 'spec',
  'batch/CronJob': 'spec',
  'autoscaling/HorizontalPodAutoscaler': 'spec',
  'policy/PodDisruptionBudget': 'spec',
  'networking.k8s.io/Ingress': 'spec',
  'networking.k8s.io/IngressClass': 'spec',
  'networking.k8s.io/NetworkPolicy': 'spec',
};

/** The top-level field whose changes bump generation, or undefined for kinds that do not track it. */
export function generationFieldFor(group: string, kind: string): 'spec' | 'template' | undefined {
  return GENERATION_FIELD[`${group}/${kind}`];
}
