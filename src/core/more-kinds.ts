// Kinds served since the storage/quota kinds were added to the catalog that types.ts and resources.ts do not
// list yet: their wire types and where they live. Fold into those two files when they are next edited.
import type * as corev1 from 'kubernetes-types/core/v1.js';
import type * as storagev1 from 'kubernetes-types/storage/v1.js';
import type { ResourceDescriptor } from './resources.js';
import type { Stored } from './types.js';

export type { storagev1 };

export type PersistentVolume = Stored<corev1.PersistentVolume>;
export type StorageClass = Stored<storagev1.StorageClass>;
export type ResourceQuota = Stored<corev1.ResourceQuota>;
export type LimitRange = Stored<corev1.LimitRange>;

const r = (group: string, version: string, resource: string, namespaced: boolean): ResourceDescriptor => ({
  group,
  version,
  resource,
  namespaced,
});

export const moreResources = {
  persistentvolumes: r('', 'v1', 'persistentvolumes', false),
  resourcequotas: r('', 'v1', 'resourcequotas', true),
  limitranges: r('', 'v1', 'limitranges', true),
  podtemplates: r('', 'v1', 'podtemplates', true),
  storageclasses: r('storage.k8s.io', 'v1', 'storageclasses', false),
} as const satisfies Record<string, ResourceDescriptor>;
