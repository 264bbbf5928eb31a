// Dispatches each built-in kind to its defaulter. Defaulters mutate in place and are idempotent: the API
// server runs them on create and again on every update.
import { defaultCustomResourceDefinition } from '../crd/definition.js';
import type { Defaulter } from '../policy.js';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps.js';
import {
  defaultAPIService,
  defaultBinding,
  defaultCertificateSigningRequest,
  defaultPriorityClass,
} from './cluster.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from './core.js';
import { defaultHPA } from './hpa.js';
import { defaultCronJob, defaultJob } from './job.js';
import { defaultLimitRange } from './limitrange.js';
import { defaultIngressClass, defaultNetworkPolicy } from './networking.js';
import { defaultPod } from './pod.js';
import { defaultPodTemplateObject, defaultReplicationController } from './replication.js';
import { defaultService } from './service.js';
import { defaultPersistentVolume, defaultPersistentVolumeClaim, defaultStorageClass } from './storage.js';
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
  '/ReplicationController': defaultReplicationController,
  '/PodTemplate': defaultPodTemplateObject,
  '/PersistentVolume': defaultPersistentVolume,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/LimitRange': defaultLimitRange,
  'apps/StatefulSet': defaultStatefulSet,
  'batch/CronJob': defaultCronJob,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/IngressClass': defaultIngressClass,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
  'rbac.authorization.k8s.io/RoleBinding': defaultBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': defaultBinding,
  'certificates.k8s.io/CertificateSigningRequest': defaultCertificateSigningRequest,
  'apiregistration.k8s.io/APIService': defaultAPIService,
  'apiextensions.k8s.io/CustomResourceDefinition': defaultCustomResourceDefinition,
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
