// Dispatches each built-in kind to its defaulter. Defaulters mutate in place and are idempotent: the API
// server runs them on create and again on every update.
import type { Defaulter } from '../policy.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet } from './apps.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from './core.js';
import { defaultHPA } from './hpa.js';
import { defaultJob } from './job.js';
import { defaultPod } from './pod.js';
import { defaultService } from './service.js';
import { zeroStatusFor } from './zero-status.js';

const DEFAULTERS: Record<string, Defaulter> = {
  '/Namespace': defaultNamespace,
  '/Pod': defaultPod,
  '/Node': defaultNode,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Secret': defaultSecret,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'autoscaling/HorizontalPodAutoscaler': defaultHPA,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'batch/Job': defaultJob,
};

export function defaulterFor(group: string, kind: string): Defaulter | undefined {
  const defaults = DEFAULTERS[`${group}/${kind}`];
  const zero = zeroStatusFor(group, kind);
  if (!zero) return defaults;
  return (o) => {
    defaults?.(o);
    zero(o);
  };
}
