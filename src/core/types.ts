// The typed model of the built-in Kubernetes kinds in wire form (JSON shapes: strings for times and
// quantities, IntOrString as `number | string`), generated upstream from the Kubernetes OpenAPI by the
// type-only package `kubernetes-types`. A stored object always has metadata, so `Stored<T>` makes it
// required and drops the read-only marks of status fields (components write them).
import type * as apiextensionsv1 from 'kubernetes-types/apiextensions/v1.js';
import type * as appsv1 from 'kubernetes-types/apps/v1.js';
import type * as authenticationv1 from 'kubernetes-types/authentication/v1.js';
import type * as authorizationv1 from 'kubernetes-types/authorization/v1.js';
import type * as autoscalingv1 from 'kubernetes-types/autoscaling/v1.js';
import type * as autoscalingv2 from 'kubernetes-types/autoscaling/v2.js';
import type * as batchv1 from 'kubernetes-types/batch/v1.js';
import type * as certificatesv1 from 'kubernetes-types/certificates/v1.js';
import type * as coordinationv1 from 'kubernetes-types/coordination/v1.js';
import type * as corev1 from 'kubernetes-types/core/v1.js';
import type * as discoveryv1 from 'kubernetes-types/discovery/v1.js';
import type * as eventsv1 from 'kubernetes-types/events/v1.js';
import type * as metav1 from 'kubernetes-types/meta/v1.js';
import type * as networkingv1 from 'kubernetes-types/networking/v1.js';
import type * as policyv1 from 'kubernetes-types/policy/v1.js';
import type * as rbacv1 from 'kubernetes-types/rbac/v1.js';
import type * as storagev1 from 'kubernetes-types/storage/v1.js';

export type { appsv1, autoscalingv1, autoscalingv2, batchv1, coordinationv1, corev1, discoveryv1, eventsv1, metav1 };
export type { networkingv1, policyv1, rbacv1, storagev1 };
export type { apiextensionsv1, certificatesv1 };
export type { authenticationv1, authorizationv1 };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type ObjectMeta = Mutable<metav1.ObjectMeta>;
export type OwnerReference = metav1.OwnerReference;
export type ManagedFieldsEntry = metav1.ManagedFieldsEntry;
export type ListMeta = Mutable<metav1.ListMeta>;

/** Any object of any kind: what machinery (storage, patches, watch) handles without knowing the kind. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

/** A kind as stored and served: metadata present, status writable. */
export type Stored<T> = Mutable<Omit<T, 'metadata'>> & { metadata: ObjectMeta };

// core/v1
export type Pod = Stored<corev1.Pod>;
export type Node = Stored<corev1.Node>;
export type Namespace = Stored<corev1.Namespace>;
export type Service = Stored<corev1.Service>;
export type Endpoints = Stored<corev1.Endpoints>;
export type ConfigMap = Stored<corev1.ConfigMap>;
export type Secret = Stored<corev1.Secret>;
export type Event = Stored<corev1.Event>;
export type ReplicationController = Stored<corev1.ReplicationController>;
export type PodTemplate = Stored<corev1.PodTemplate>;
export type PersistentVolumeClaim = Stored<corev1.PersistentVolumeClaim>;
export type ServiceAccount = Stored<corev1.ServiceAccount>;
export type PersistentVolume = Stored<corev1.PersistentVolume>;
export type ResourceQuota = Stored<corev1.ResourceQuota>;
export type LimitRange = Stored<corev1.LimitRange>;
export type {
  Affinity,
  Container,
  ContainerPort,
  ContainerState,
  ContainerStatus,
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  EnvFromSource,
  EnvVar,
  ExecAction,
  HTTPGetAction,
  KeyToPath,
  LifecycleHandler,
  NodeAddress,
  NodeCondition,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  NodeSpec,
  NodeStatus,
  ObjectReference,
  PodCondition,
  PodSpec,
  PodStatus,
  PodTemplateSpec,
  Probe,
  ResourceRequirements,
  ServicePort,
  ServiceSpec,
  Taint,
  TCPSocketAction,
  Toleration,
  TopologySpreadConstraint,
  Volume,
  VolumeMount,
  WeightedPodAffinityTerm,
  PodAffinityTerm,
} from 'kubernetes-types/core/v1.js';

// apps/v1
export type Deployment = Stored<appsv1.Deployment>;
export type ReplicaSet = Stored<appsv1.ReplicaSet>;
export type DaemonSet = Stored<appsv1.DaemonSet>;
export type StatefulSet = Stored<appsv1.StatefulSet>;
export type ControllerRevision = Stored<appsv1.ControllerRevision>;
export type {
  DaemonSetSpec,
  DaemonSetStatus,
  DeploymentCondition,
  DeploymentSpec,
  DeploymentStatus,
  ReplicaSetCondition,
  ReplicaSetSpec,
  ReplicaSetStatus,
} from 'kubernetes-types/apps/v1.js';

// batch/v1
export type Job = Stored<batchv1.Job>;
export type CronJob = Stored<batchv1.CronJob>;
export type { JobCondition, JobSpec, JobStatus } from 'kubernetes-types/batch/v1.js';

// others
export type Lease = Stored<coordinationv1.Lease>;
export type EndpointSlice = Stored<discoveryv1.EndpointSlice>;
export type { Endpoint as SliceEndpoint, EndpointPort as SliceEndpointPort } from 'kubernetes-types/discovery/v1.js';
export type HorizontalPodAutoscaler = Stored<autoscalingv2.HorizontalPodAutoscaler>;
export type Scale = Stored<autoscalingv1.Scale>;
export type NetworkPolicy = Stored<networkingv1.NetworkPolicy>;
export type CertificateSigningRequest = Stored<certificatesv1.CertificateSigningRequest>;
export type { CertificateSigningRequestCondition } from 'kubernetes-types/certificates/v1.js';
export type Role = Stored<rbacv1.Role>;
export type ClusterRole = Stored<rbacv1.ClusterRole>;
export type RoleBinding = Stored<rbacv1.RoleBinding>;
export type ClusterRoleBinding = Stored<rbacv1.ClusterRoleBinding>;
export type PolicyRule = rbacv1.PolicyRule;
export type RbacSubject = rbacv1.Subject;
export type PodDisruptionBudget = Stored<policyv1.PodDisruptionBudget>;
export type Eviction = Stored<policyv1.Eviction>;
export type StorageClass = Stored<storagev1.StorageClass>;
export type EventsV1Event = Stored<eventsv1.Event>;

// apiextensions.k8s.io/v1
export type CustomResourceDefinition = Stored<apiextensionsv1.CustomResourceDefinition>;
