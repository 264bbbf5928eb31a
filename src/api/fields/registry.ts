// Which field selectors each kind accepts, and upstream's error when one is not. The accepted set comes
// from each version's field-label conversion function (e.g. pkg/apis/core/v1/conversion.go).
import type { FieldLabeler } from '../policy.js';
import { coreEventFields, eventsV1Fields } from './event.js';
import { podFields } from './pod.js';
import {
  certificateSigningRequestFields,
  jobFields,
  namespaceFields,
  nodeFields,
  replicaSetFields,
  replicationControllerFields,
  secretFields,
  serviceFields,
  statefulSetFields,
} from './simple.js';

export interface FieldSpec {
  labeler: FieldLabeler;
  /** Every label the kind accepts, metadata ones included (Node and Namespace take no metadata.namespace). */
  accepted: readonly string[];
  /** Old spellings rewritten before matching, e.g. pods' `spec.host`. */
  aliases?: Readonly<Record<string, string>>;
  unsupported: (label: string) => string;
}

const NAME_NS = ['metadata.name', 'metadata.namespace'];
const notSupported = (label: string): string => `field label not supported: ${label}`;
const keysOf = (labeler: FieldLabeler): string[] => Object.keys(labeler({ metadata: {} }));

function spec(labeler: FieldLabeler, metadata: string[], extra: Partial<FieldSpec> = {}): FieldSpec {
  return { labeler, accepted: [...metadata, ...keysOf(labeler)], unsupported: notSupported, ...extra };
}

const SPECS: Record<string, FieldSpec> = {
  '/Pod': spec(podFields, NAME_NS, { aliases: { 'spec.host': 'spec.nodeName' } }),
  '/Event': spec(coreEventFields, NAME_NS),
  'events.k8s.io/Event': spec(eventsV1Fields, NAME_NS),
  '/Node': spec(nodeFields, ['metadata.name']),
  '/Namespace': spec(namespaceFields, ['metadata.name'], { aliases: { name: 'metadata.name' } }),
  '/Secret': spec(secretFields, NAME_NS),
  '/Service': spec(serviceFields, NAME_NS),
  'apps/ReplicaSet': spec(replicaSetFields, NAME_NS),
  'batch/Job': spec(jobFields, NAME_NS, {
    unsupported: (label) => `field label "${label}" not supported for batchv1.Job`,
  }),
  '/ReplicationController': spec(replicationControllerFields, NAME_NS),
  'apps/StatefulSet': spec(statefulSetFields, NAME_NS, {
    unsupported: (label) => `field label not supported for appsv1.StatefulSet: ${label}`,
  }),
  'certificates.k8s.io/CertificateSigningRequest': spec(certificateSigningRequestFields, ['metadata.name']),
};

/** Kinds without a conversion function get upstream's DefaultMetaV1FieldSelectorConversion. */
const DEFAULT_SPEC: FieldSpec = {
  labeler: () => ({}),
  accepted: NAME_NS,
  unsupported: (label) => `"${label}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

export function fieldSpecFor(group: string, kind: string): FieldSpec {
  return SPECS[`${group}/${kind}`] ?? DEFAULT_SPEC;
}

export function hasCustomFields(group: string, kind: string): boolean {
  return SPECS[`${group}/${kind}`] !== undefined;
}
