// Server-side tables for `kubectl get`: columns and cells per kind, as upstream's
// pkg/printers/internalversion. Rows always carry the wide (priority > 0) cells; kubectl hides them.
import type { TableSpec } from '../policy.js';
import { certificateSigningRequestTable, clusterRoleBindingTable, roleBindingTable } from './access-control.js';
import { apiServiceTable } from './apiservice.js';
import { cronJobTable, podTemplateTable, replicationControllerTable, statefulSetTable } from './controllers.js';
import { defaultTable } from './default-table.js';
import { eventTable } from './events.js';
import { hpaTable } from './hpa.js';
import { ingressClassTable, ingressTable, networkPolicyTable } from './networking.js';
import { nodeTable } from './nodes.js';
import { podTable } from './pods.js';
import { podDisruptionBudgetTable, priorityClassTable, resourceQuotaTable } from './policy.js';
import { endpointSliceTable, endpointsTable, serviceTable } from './services.js';
import { configMapTable, leaseTable, namespaceTable, secretTable, serviceAccountTable } from './simple.js';
import { persistentVolumeClaimTable, persistentVolumeTable, storageClassTable } from './storage.js';
import { controllerRevisionTable, daemonSetTable, deploymentTable, jobTable, replicaSetTable } from './workloads.js';

export { defaultTable } from './default-table.js';
export { ageSince, humanDuration } from './duration.js';

const TABLES: Record<string, TableSpec> = {
  '/Pod': podTable,
  '/Node': nodeTable,
  '/Service': serviceTable,
  '/Endpoints': endpointsTable,
  '/Namespace': namespaceTable,
  '/Event': eventTable,
  '/ConfigMap': configMapTable,
  '/Secret': secretTable,
  '/ServiceAccount': serviceAccountTable,
  'events.k8s.io/Event': eventTable,
  'coordination.k8s.io/Lease': leaseTable,
  'apps/Deployment': deploymentTable,
  'apps/ReplicaSet': replicaSetTable,
  'apps/DaemonSet': daemonSetTable,
  'apps/ControllerRevision': controllerRevisionTable,
  'batch/Job': jobTable,
  'autoscaling/HorizontalPodAutoscaler': hpaTable,
  'discovery.k8s.io/EndpointSlice': endpointSliceTable,
  '/ReplicationController': replicationControllerTable,
  '/PodTemplate': podTemplateTable,
  '/PersistentVolume': persistentVolumeTable,
  '/PersistentVolumeClaim': persistentVolumeClaimTable,
  '/ResourceQuota': resourceQuotaTable,
  // Upstream has no printer for these: NAME and CREATED AT.
  '/LimitRange': defaultTable(),
  'rbac.authorization.k8s.io/Role': defaultTable(),
  'rbac.authorization.k8s.io/ClusterRole': defaultTable(),
  'apps/StatefulSet': statefulSetTable,
  'batch/CronJob': cronJobTable,
  'storage.k8s.io/StorageClass': storageClassTable,
  'networking.k8s.io/Ingress': ingressTable,
  'networking.k8s.io/IngressClass': ingressClassTable,
  'networking.k8s.io/NetworkPolicy': networkPolicyTable,
  'policy/PodDisruptionBudget': podDisruptionBudgetTable,
  'scheduling.k8s.io/PriorityClass': priorityClassTable,
  'apiregistration.k8s.io/APIService': apiServiceTable,
  // Upstream has no printer for CRDs: NAME and CREATED AT.
  'apiextensions.k8s.io/CustomResourceDefinition': defaultTable(),
  'rbac.authorization.k8s.io/RoleBinding': roleBindingTable,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingTable,
  'certificates.k8s.io/CertificateSigningRequest': certificateSigningRequestTable,
};

/** The kind's table, or undefined when upstream has no printer for it (use defaultTable()). */
export function tableFor(group: string, kind: string): TableSpec | undefined {
  return TABLES[`${group}/${kind}`];
}

/** tableFor, falling back to the NAME / CREATED AT table. */
export function tableOrDefault(group: string, kind: string): TableSpec {
  return tableFor(group, kind) ?? defaultTable();
}
