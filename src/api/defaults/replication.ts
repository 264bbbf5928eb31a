// core/v1 ReplicationController and PodTemplate defaults (core/v1 defaults.go SetDefaults_ReplicationController).
import type { KubeObject } from '../../core/types.js';
import { asObj, child, setDefault } from './access.js';
import { defaultPodTemplate } from './pod.js';

/** The template's labels stand in for a missing selector and missing object labels; one replica. */
export function defaultReplicationController(o: KubeObject): void {
  const spec = child(o, 'spec');
  const labels = asObj(asObj(asObj(spec.template)?.metadata)?.labels);
  if (labels) {
    if (Object.keys(asObj(spec.selector) ?? {}).length === 0) spec.selector = { ...labels };
    if (Object.keys(o.metadata.labels ?? {}).length === 0)
      o.metadata.labels = { ...(labels as Record<string, string>) };
  }
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

export function defaultPodTemplateObject(o: KubeObject): void {
  defaultPodTemplate(o.template);
}
