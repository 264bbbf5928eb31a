// Dispatches each built-in kind to its validation rules. Every validator also checks ObjectMeta, and on
// update (when `old` is given) the identity fields that may never change.
import type { FieldError } from '../../core/status.js';
import type { Validator } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { validateCustomResourceDefinition } from '../crd/definition.js';
import { validateAPIService } from './apiservice.js';
import { validateDaemonSet, validateDeployment, validateReplicaSet } from './apps.js';
import {
  validateControllerRevision,
  validateLease,
  validateNamespace,
  validateNode,
  validateServiceAccount,
} from './cluster.js';
import { validateConfigMap, validateSecret } from './configdata.js';
import { validateCronJob } from './cronjob.js';
import { validateCertificateSigningRequest } from './csr.js';
import { validateEndpointSlice, validateEndpoints } from './endpoints.js';
import { validateEvent } from './event.js';
import { validateHPA } from './hpa.js';
import { validateJob } from './job.js';
import { validateIngress, validateIngressClass, validateNetworkPolicy } from './networking.js';
import { validateObjectMetaUpdate } from './objectmeta.js';
import { validatePodDisruptionBudget } from './pdb.js';
import { validatePod } from './pod.js';
import { validateLimitRange, validateResourceQuota } from './quota.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.js';
import { validatePodTemplateObject, validateReplicationController } from './replication.js';
import { validatePriorityClass } from './scheduling.js';
import { validateService } from './service.js';
import { validateStatefulSet } from './statefulset.js';
import { validatePersistentVolume, validatePersistentVolumeClaim, validateStorageClass } from './storage.js';

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
  '/ReplicationController': validateReplicationController,
  '/PodTemplate': validatePodTemplateObject,
  '/PersistentVolume': validatePersistentVolume,
  '/PersistentVolumeClaim': validatePersistentVolumeClaim,
  '/ResourceQuota': validateResourceQuota,
  '/LimitRange': validateLimitRange,
  'apps/StatefulSet': validateStatefulSet,
  'batch/CronJob': validateCronJob,
  'storage.k8s.io/StorageClass': validateStorageClass,
  'networking.k8s.io/Ingress': validateIngress,
  'networking.k8s.io/IngressClass': validateIngressClass,
  'networking.k8s.io/NetworkPolicy': validateNetworkPolicy,
  'policy/PodDisruptionBudget': validatePodDisruptionBudget,
  'scheduling.k8s.io/PriorityClass': validatePriorityClass,
  'apiregistration.k8s.io/APIService': validateAPIService,
  'apiextensions.k8s.io/CustomResourceDefinition': validateCustomResourceDefinition,
  'rbac.authorization.k8s.io/Role': validateRole,
  'rbac.authorization.k8s.io/ClusterRole': validateClusterRole,
  'rbac.authorization.k8s.io/RoleBinding': validateRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validateClusterRoleBinding,
  'certificates.k8s.io/CertificateSigningRequest': validateCertificateSigningRequest,
};

export function validatorFor(group: string, kind: string): Validator | undefined {
  const validate = VALIDATORS[`${group}/${kind}`];
  if (!validate) return undefined;
  return (obj, old) => (old ? [...validate(obj, old), ...validateObjectMetaUpdate(obj, old)] : validate(obj));
}
