// The static catalog of built-in resources: names, scope, verbs, subresources, and where each is stored.
// Policy (defaults, validation, printing, conversion) lives in src/api/<policy>/ and is joined to
// these entries by the API server (src/apiserver/resources.ts).

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Lowercase plural, the path segment. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresource names served, e.g. 'status', 'scale', 'binding'. */
  subresources: string[];
  /**
   * Group/resource this is stored under. Several versions of one resource (HPA autoscaling/v1 and v2,
   * core/v1 and events.k8s.io/v1 Events) share one storage version and are converted on the way in/out.
   */
  storage: { group: string; version: string; resource: string };
  /** The preferred version for discovery (first served). */
  preferred: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function res(
  group: string,
  version: string,
  kind: string,
  resource: string,
  namespaced: boolean,
  opts: {
    shortNames?: string[];
    categories?: string[];
    subresources?: string[];
    verbs?: string[];
    storage?: { group: string; version: string; resource: string };
    preferred?: boolean;
  } = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    resource,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? ALL_VERBS,
    subresources: opts.subresources ?? [],
    storage: opts.storage ?? { group, version, resource },
    preferred: opts.preferred ?? true,
  };
}

const eventStorage = { group: '', version: 'v1', resource: 'events' };
const hpaStorage = { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' };

export const CATALOG: ResourceInfo[] = [
  res('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  res('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      'status',
      'binding',
      'eviction',
      'log',
      'exec',
      'attach',
      'portforward',
      'proxy',
      'ephemeralcontainers',
    ],
  }),
  res('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: ['status', 'proxy'] }),
  res('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status', 'proxy'],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  res('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  res('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  res('', 'v1', 'Secret', 'secrets', true),
  res('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'], subresources: ['token'] }),
  res('', 'v1', 'ReplicationController', 'replicationcontrollers', true, {
    shortNames: ['rc'],
    categories: ['all'],
    subresources: ['scale', 'status'],
  }),
  res('', 'v1', 'PodTemplate', 'podtemplates', true),
  res('', 'v1', 'PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], subresources: ['status'] }),
  res('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, {
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  res('', 'v1', 'ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'] }),
  res('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  res('', 'v1', 'Event', 'events', true, { shortNames: ['ev'], storage: eventStorage }),
  res('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'], storage: eventStorage }),
  res('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  res('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  res('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  res('apps', 'v1', 'DaemonSet', 'daemonsets', true, {
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
  }),
  res('apps', 'v1', 'StatefulSet', 'statefulsets', true, {
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['scale', 'status'],
  }),
  res('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  res('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    storage: hpaStorage,
  }),
  res('autoscaling', 'v1', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, {
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    storage: hpaStorage,
    preferred: false,
  }),
  res('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  res('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], subresources: ['status'] }),
  res('batch', 'v1', 'CronJob', 'cronjobs', true, {
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
  }),
  res('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, {
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  res('apiregistration.k8s.io', 'v1', 'APIService', 'apiservices', false, {
    categories: ['api-extensions'],
    subresources: ['status'],
  }),
  // Virtual: creates answered and never stored. A TokenReview says whether a bearer token authenticates
  // (src/apiserver/http/reviews.ts); the self and access reviews are answered by src/apiserver/authz/reviews.ts
  // before any resource routing: they are listed here for discovery and OpenAPI.
  res('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  res('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', false, { verbs: ['create'] }),
  res('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true, {
    verbs: ['create'],
  }),
  res('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false, {
    verbs: ['create'],
  }),
  res('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false, { verbs: ['create'] }),
  res('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', false, { verbs: ['create'] }),
  res('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', false, {
    shortNames: ['csr'],
    subresources: ['approval', 'status'],
  }),
  res('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  res('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: ['status'] }),
  res('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  res('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, {
    shortNames: ['pdb'],
    subresources: ['status'],
  }),
  res('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  res('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  res('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  res('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  res('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  res('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
];

/** Every group with its versions in preference order (preferred first). */
export function groupVersions(): { group: string; versions: string[] }[] {
  const out = new Map<string, string[]>();
  for (const r of CATALOG) {
    const vs = out.get(r.group) ?? [];
    if (!vs.includes(r.version)) {
      if (r.preferred) vs.unshift(r.version);
      else vs.push(r.version);
    }
    out.set(r.group, vs);
  }
  return [...out.entries()].map(([group, versions]) => ({ group, versions }));
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return CATALOG.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return CATALOG.find((r) => r.group === group && r.version === version && r.kind === kind);
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}
