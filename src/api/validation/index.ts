// Dispatches each built-in kind to its validation rules. Every validator also checks ObjectMeta, and on
// update (when `old` is given) the identity fields that may never change.
import type { FieldError } from '../../core/status.js';
import type { Validator } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { validateDaemonSet, validateDeployment, validateReplicaSet } from './apps.js';
import {
  validateControllerRevision,
  validateLease,
  validateNamespace,
  validateNode,
  validateServiceAccount,
} from './cluster.js';
import { validateConfigMap, validateSecret } from './configdata.js';
import { validateEndpointSlice, validateEndpoints } from './endpoints.js';
import { validateEvent } from './event.js';
import { validateHPA } from './hpa.js';
import { validateJob } from './job.js';
import { validateObjectMetaUpdate } from './objectmeta.js';
import { validatePod } from './pod.js';
import { validateService } from './service.js';

type KindValidator = (obj: KubeObject, old?: KubeObject) => FieldError[];

const VALIDATORS: Record<string, KindValidator> = {
  '/Namespace': validateNamespace,
  '/Pod': validatePod,
  '/Node': validateNode,
  '/Service': validateService,
  '/Endpoints': validateEndpoints,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/ServiceAccount': validateServiceAccount,
  '/Event': validateEvent,
  'events.k8s.io/Event': validateEvent,
  'coordination.k8s.io/Lease': validateLease,
  'apps/Deployment': validateDeployment,
  'apps/ReplicaSet': validateReplicaSet,
  'apps/DaemonSet': validateDaemonSet,
  'apps/ControllerRevision': validateControllerRevision,
  'autoscaling/HorizontalPodAutoscaler': validateHPA,
  'discovery.k8s.io/EndpointSlice': validateEndpointSlice,
  'batch/Job': validateJob,
};

export function validatorFor(group: string, kind: string): Validator | undefined {
  const validate = VALIDATORS[`${group}/${kind}`];
  if (!validate) return undefined;
  return (obj, old) => (old ? [...validate(obj, old), ...validateObjectMetaUpdate(obj, old)] : validate(obj));
}
