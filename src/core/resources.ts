// Where each built-in resource lives in the API: the descriptor clients build paths from.

export interface ResourceDescriptor {
  group: string;
  version: string;
  /** Lowercase plural, e.g. 'pods'. */
  resource: string;
  namespaced: boolean;
}

const r = (group: string, version: string, resource: string, namespaced: boolean): ResourceDescriptor => ({
  group,
  version,
  resource,
  namespaced,
});

export const resources = {
  pods: r('', 'v1', 'pods', true),
  nodes: r('', 'v1', 'nodes', false),
  namespaces: r('', 'v1', 'namespaces', false),
  services: r('', 'v1', 'services', true),
  endpoints: r('', 'v1', 'endpoints', true),
  configmaps: r('', 'v1', 'configmaps', true),
  secrets: r('', 'v1', 'secrets', true),
  events: r('', 'v1', 'events', true),
  serviceaccounts: r('', 'v1', 'serviceaccounts', true),
  persistentvolumeclaims: r('', 'v1', 'persistentvolumeclaims', true),
  persistentvolumes: r('', 'v1', 'persistentvolumes', false),
  resourcequotas: r('', 'v1', 'resourcequotas', true),
  limitranges: r('', 'v1', 'limitranges', true),
  podtemplates: r('', 'v1', 'podtemplates', true),
  storageclasses: r('storage.k8s.io', 'v1', 'storageclasses', false),
  replicationcontrollers: r('', 'v1', 'replicationcontrollers', true),
  leases: r('coordination.k8s.io', 'v1', 'leases', true),
  deployments: r('apps', 'v1', 'deployments', true),
  replicasets: r('apps', 'v1', 'replicasets', true),
  daemonsets: r('apps', 'v1', 'daemonsets', true),
  statefulsets: r('apps', 'v1', 'statefulsets', true),
  controllerrevisions: r('apps', 'v1', 'controllerrevisions', true),
  jobs: r('batch', 'v1', 'jobs', true),
  cronjobs: r('batch', 'v1', 'cronjobs', true),
  endpointslices: r('discovery.k8s.io', 'v1', 'endpointslices', true),
  horizontalpodautoscalers: r('autoscaling', 'v2', 'horizontalpodautoscalers', true),
  networkpolicies: r('networking.k8s.io', 'v1', 'networkpolicies', true),
  poddisruptionbudgets: r('policy', 'v1', 'poddisruptionbudgets', true),
  certificatesigningrequests: r('certificates.k8s.io', 'v1', 'certificatesigningrequests', false),
  subjectaccessreviews: r('authorization.k8s.io', 'v1', 'subjectaccessreviews', false),
} as const satisfies Record<string, ResourceDescriptor>;
