// The default roles and bindings every cluster has, after upstream's plugin/pkg/auth/authorizer/rbac/
// bootstrappolicy: cluster-admin for system:masters, discovery and self-review for every authenticated user,
// the user-facing admin/edit/view roles (aggregated, so CRDs can add to them), and the node role. As upstream,
// the group system:nodes is not bound to `system:node`: a node's own credential (`system:node:<name>`, its client
// certificate) gets those rules from the Node authorizer (authz/node.ts), its secrets, configmaps and volumes only
// through its pods. The group is bound to `system:node-proxier` (the agent runs the service proxy, DNS and network
// policy) and `system:tutti:ingress` (its ingress controller). The join token is only a bootstrapper (user `system:bootstrap:node`, group `system:bootstrappers`).
// The API server's calls to agents have identities of their own: kube-apiserver-kubelet-client
// (system:kubelet-api-admin) and the metrics scraper (nodes/metrics, nodes/stats); agents authorize them with
// SubjectAccessReviews.
// Node client certificates: bootstrappers (the join token's group system:bootstrappers) may create CSRs and
// have kubelet client CSRs auto-approved (nodeclient); nodes may renew their own (selfnodeclient).
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RoleBinding } from '../../core/types.js';

const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };
const BOOTSTRAP = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** The user of the API server's calls to node agents (upstream kubeadm's apiserver-kubelet-client CN). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
/** The user of the metrics.k8s.io scraper's calls to node agents. */
export const METRICS_SCRAPER_USER = 'system:tutti:metrics-scraper';
/** The user of the Prometheus scrape token (group system:monitoring; nodes/metrics and nodes/stats of agents). */
export const PROMETHEUS_USER = 'system:tutti:prometheus';

function role(name: string, rules: PolicyRule[], labels: Record<string, string> = {}): ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP, ...labels }, annotations: AUTOUPDATE },
    rules,
  };
}

function aggregated(name: string, selectorLabel: string, labels: Record<string, string> = {}): ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP, ...labels }, annotations: AUTOUPDATE },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectorLabel]: 'true' } }] },
    rules: [],
  };
}

function binding(
  name: string,
  roleName: string,
  subjects: { kind: 'Group' | 'User'; name: string }[],
): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: BOOTSTRAP, annotations: AUTOUPDATE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    // Upstream's system:node binding has no subjects (the field is absent, not an empty list).
    ...(subjects.length > 0
      ? { subjects: subjects.map((s) => ({ apiGroup: 'rbac.authorization.k8s.io', ...s })) }
      : {}),
  };
}

const r = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs });
const named = (apiGroups: string[], resources: string[], verbs: string[], resourceNames: string[]): PolicyRule => ({
  apiGroups,
  resources,
  verbs,
  resourceNames,
});
/** Upstream's eventsRule: components record events through either API. */
const EVENTS = r(['', 'events.k8s.io'], ['events'], ['create', 'update', 'patch']);
/** Leader election on a Lease: create any (the name is not known on create), get/update only one's own. */
const leaseRules = (name: string): PolicyRule[] => [
  r(['coordination.k8s.io'], ['leases'], ['create']),
  named(['coordination.k8s.io'], ['leases'], ['get', 'update'], [name]),
];

/**
 * The controller manager's role: the union of upstream's system:controller:* roles (controller_policy.go) of the
 * controllers Tutti runs, plus system:kube-controller-manager's own (events, its Lease). Upstream runs each
 * controller with its own ServiceAccount; Tutti's controllers share one identity, so each holds what the
 * garbage collector (get/list/watch/patch/update/delete on everything) and the namespace controller (delete,
 * deletecollection on everything) need. `create` is granted only on what some controller makes, and never on
 * RBAC objects, so the controller manager cannot grant itself (or anyone) more.
 */
function controllerManagerRules(): PolicyRule[] {
  return [
    EVENTS,
    ...leaseRules('tutti-controller-manager'),
    // garbage collector, namespace controller, resource quota, the informers of every controller
    r(['*'], ['*'], [...READ, 'patch', 'update', 'delete', 'deletecollection']),
    // ReplicaSet, ReplicationController, DaemonSet, Job, StatefulSet: pods; Deployment: ReplicaSets;
    // DaemonSet, StatefulSet: ControllerRevisions; CronJob: Jobs; StatefulSet: claims
    r([''], ['pods', 'persistentvolumeclaims'], ['create']),
    r(['apps'], ['replicasets', 'controllerrevisions'], ['create']),
    r(['batch'], ['jobs'], ['create']),
    // endpoints and endpointslice controllers; serviceaccount controller (and the kube-root-ca.crt ConfigMap)
    r([''], ['endpoints', 'serviceaccounts', 'configmaps'], ['create']),
    r(['discovery.k8s.io'], ['endpointslices'], ['create']),
    // PV binder and the local-path provisioner (its default StorageClass)
    r([''], ['persistentvolumes'], ['create']),
    r(['storage.k8s.io'], ['storageclasses'], ['create']),
    // cluster autoscaler: registers nodes of its providers, drains with evictions; the simulated provider's
    // nodes heartbeat with Leases in kube-node-lease (covered by the lease create above)
    r([''], ['nodes'], ['create']),
    r([''], ['pods/eviction'], ['create']),
    // certificates: upstream's csrapproving and csrsigning controllers (the signer names of signer.go)
    named(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    named(
      ['certificates.k8s.io'],
      ['signers'],
      ['sign'],
      [
        'kubernetes.io/kube-apiserver-client-kubelet',
        'kubernetes.io/kubelet-serving',
        'kubernetes.io/kube-apiserver-client',
        'kubernetes.io/legacy-unknown',
      ],
    ),
    r(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    r(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
  ];
}

/** The scheduler's role (upstream's kubeSchedulerRules). */
function schedulerRules(): PolicyRule[] {
  return [
    EVENTS,
    ...leaseRules('kube-scheduler'),
    r([''], ['nodes'], READ),
    // delete: preemption evicts victims
    r([''], ['pods'], [...READ, 'delete']),
    r([''], ['pods/binding', 'bindings'], ['create']),
    r([''], ['pods/status'], ['patch', 'update']),
    // things that select pods, and that pods use
    r([''], ['services', 'replicationcontrollers'], READ),
    r(['apps', 'extensions'], ['replicasets'], READ),
    r(['apps'], ['statefulsets'], READ),
    r(['policy'], ['poddisruptionbudgets'], READ),
    r([''], ['persistentvolumeclaims', 'persistentvolumes'], READ),
    r([''], ['namespaces'], READ),
    r(['authentication.k8s.io'], ['tokenreviews'], ['create']),
    r(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    r(['storage.k8s.io'], ['csinodes', 'csidrivers', 'csistoragecapacities'], READ),
  ];
}

const VIEWABLE_CORE = [
  'configmaps',
  'endpoints',
  'persistentvolumeclaims',
  'persistentvolumeclaims/status',
  'pods',
  'pods/log',
  'pods/status',
  'replicationcontrollers',
  'replicationcontrollers/scale',
  'replicationcontrollers/status',
  'serviceaccounts',
  'services',
  'services/status',
  'bindings',
  'events',
  'limitranges',
  'namespaces/status',
  'resourcequotas',
  'resourcequotas/status',
  'namespaces',
];
const WORKLOADS: [string[], string[]][] = [
  [
    ['apps'],
    [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/scale',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
  ],
  [['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']],
  [['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']],
  [['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']],
  [['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']],
  [['discovery.k8s.io'], ['endpointslices']],
];

/** The default ClusterRoles. */
export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    role('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    role('system:discovery', [
      {
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
        verbs: ['get'],
      },
    ]),
    role('system:public-info-viewer', [
      { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
    role('system:service-account-issuer-discovery', [
      { nonResourceURLs: ['/.well-known/openid-configuration', '/openid/v1/jwks'], verbs: ['get'] },
    ]),
    role('system:basic-user', [
      r(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']),
      r(['authentication.k8s.io'], ['selfsubjectreviews'], ['create']),
    ]),
    aggregated('admin', 'rbac.authorization.k8s.io/aggregate-to-admin'),
    aggregated('edit', 'rbac.authorization.k8s.io/aggregate-to-edit', {
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
    }),
    aggregated('view', 'rbac.authorization.k8s.io/aggregate-to-view', {
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
    }),
    role('system:aggregate-to-view', [r([''], VIEWABLE_CORE, READ), ...WORKLOADS.map(([g, rs]) => r(g, rs, READ))], {
      'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
      'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
      'rbac.authorization.k8s.io/aggregate-to-view': 'true',
    }),
    role(
      'system:aggregate-to-edit',
      [
        r([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
        r([''], ['serviceaccounts'], ['impersonate']),
        r([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'pods/eviction'], WRITE),
        r(
          [''],
          [
            'configmaps',
            'events',
            'persistentvolumeclaims',
            'replicationcontrollers',
            'replicationcontrollers/scale',
            'secrets',
            'serviceaccounts',
            'services',
            'services/proxy',
            'endpoints',
          ],
          WRITE,
        ),
        r([''], ['serviceaccounts/token'], ['create']),
        ...WORKLOADS.map(([g, rs]) =>
          r(
            g,
            rs.filter((x) => !x.endsWith('/status')),
            WRITE,
          ),
        ),
      ],
      { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' },
    ),
    role(
      'system:aggregate-to-admin',
      [
        r(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
        r(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], [...READ, ...WRITE]),
      ],
      { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' },
    ),
    role('system:node', [
      r(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      r(['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews'], ['create']),
      r([''], ['services'], READ),
      r([''], ['nodes'], ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete']),
      r([''], ['nodes/status'], ['patch', 'update']),
      r([''], ['events'], ['create', 'patch', 'update']),
      r([''], ['pods'], [...READ, 'delete']),
      r([''], ['pods/status'], ['patch', 'update']),
      r([''], ['pods/eviction'], ['create']),
      r([''], ['configmaps', 'secrets'], READ),
      r([''], ['persistentvolumeclaims', 'persistentvolumes'], ['get']),
      r([''], ['persistentvolumeclaims/status'], ['get', 'patch', 'update']),
      r([''], ['endpoints'], ['get']),
      r([''], ['serviceaccounts/token'], ['create']),
      r(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch']),
      r(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update']),
      r(['storage.k8s.io'], ['volumeattachments'], ['get']),
      r(['storage.k8s.io'], ['csidrivers'], READ),
    ]),
    // Tutti's own: the cluster DNS beside each agent publishes the kube-dns Service and its node's
    // EndpointSlice in kube-system (bound there only, by bootstrapRoleBindings).
    role('system:tutti:node-network', [
      r([''], ['services'], ['get', 'create']),
      r(['discovery.k8s.io'], ['endpointslices'], ['get', 'create', 'update', 'patch', 'delete']),
    ]),
    // Tutti's own: the ingress controller beside each agent reads Ingresses and IngressClasses (Traefik's
    // role in k3s; the Services, EndpointSlices and TLS Secrets it reads are the node's already). The
    // controller manager writes their status, not the nodes.
    role('system:tutti:ingress', [r(['networking.k8s.io'], ['ingresses', 'ingressclasses'], READ)]),
    // Tutti's own: the cluster settings nodes share with the server (kube-system/tutti-config, by name only;
    // kubeadm's kubeadm:nodes-kubeadm-config), read by nodes and by joining nodes with the join token.
    role('system:tutti:node-config', [named([''], ['configmaps'], ['get'], ['tutti-config'])]),
    // Upstream's role for scraping /metrics and the health endpoints (group system:monitoring).
    role('system:monitoring', [
      {
        nonResourceURLs: [
          '/healthz',
          '/healthz/*',
          '/livez',
          '/livez/*',
          '/readyz',
          '/readyz/*',
          '/metrics',
          '/metrics/slis',
        ],
        verbs: ['get'],
      },
    ]),
    role('system:kube-scheduler', schedulerRules()),
    role('system:kube-controller-manager', controllerManagerRules()),
    // Tutti's metrics.k8s.io (metrics-server's job, in the API server): its Node and Pod informers, as the
    // scraper's user (upstream's system:metrics-server role has these reads beside nodes/metrics).
    role('system:tutti:metrics-server', [r([''], ['nodes', 'pods'], READ)]),
    role('system:volume-scheduler', [
      r([''], ['persistentvolumes', 'persistentvolumeclaims'], [...READ, 'update']),
      r(['storage.k8s.io'], ['storageclasses'], READ),
    ]),
    // Client certificates for nodes (upstream policy.go): bootstrap identities create CSRs; the csrapproving
    // controller approves kubelet client CSRs of requesters allowed nodeclient (new) / selfnodeclient (renewal).
    role('system:node-bootstrapper', [
      r(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch']),
    ]),
    role('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      r(['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'], ['create']),
    ]),
    role('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      r(['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'], ['create']),
    ]),
    ...[
      ['kube-apiserver-client-approver', 'kubernetes.io/kube-apiserver-client'],
      ['kube-apiserver-client-kubelet-approver', 'kubernetes.io/kube-apiserver-client-kubelet'],
      ['kubelet-serving-approver', 'kubernetes.io/kubelet-serving'],
      ['legacy-unknown-approver', 'kubernetes.io/legacy-unknown'],
    ].map(([name, signer]) =>
      role(`system:certificates.k8s.io:${name}`, [
        { apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [signer!], verbs: ['approve'] },
      ]),
    ),
    // Upstream's role for full access to the kubelet API (the API server's kubelet client is bound to it).
    role('system:kubelet-api-admin', [
      r([''], ['nodes'], ['get', 'list', 'watch', 'proxy']),
      r([''], ['nodes/proxy', 'nodes/metrics', 'nodes/stats', 'nodes/log', 'nodes/spec'], ['*']),
      r([''], ['nodes/pods', 'nodes/healthz', 'nodes/configz'], ['*']),
    ]),
    // Tutti's: what the metrics.k8s.io scraper reads of agents (upstream's metrics-server role has the same).
    role('system:tutti:metrics-scraper', [r([''], ['nodes/metrics', 'nodes/stats'], ['get'])]),
    role('system:node-proxier', [
      r([''], ['endpoints', 'services', 'pods', 'namespaces'], ['list', 'watch']),
      r([''], ['nodes'], READ),
      r([''], ['events'], ['create', 'patch', 'update']),
      r(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch']),
      r(['networking.k8s.io'], ['networkpolicies'], ['list', 'watch']),
    ]),
  ];
}

/** The default ClusterRoleBindings. */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }]),
    binding('system:discovery', 'system:discovery', [{ kind: 'Group', name: 'system:authenticated' }]),
    binding('system:basic-user', 'system:basic-user', [{ kind: 'Group', name: 'system:authenticated' }]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [
      { kind: 'Group', name: 'system:authenticated' },
      { kind: 'Group', name: 'system:unauthenticated' },
    ]),
    binding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', [
      { kind: 'Group', name: 'system:serviceaccounts' },
    ]),
    // As upstream: the binding exists without subjects (nodes get these rules from the Node authorizer).
    binding('system:node', 'system:node', []),
    binding('system:node-proxier', 'system:node-proxier', [{ kind: 'Group', name: 'system:nodes' }]),
    binding('system:tutti:ingress', 'system:tutti:ingress', [{ kind: 'Group', name: 'system:nodes' }]),
    binding('system:monitoring', 'system:monitoring', [{ kind: 'Group', name: 'system:monitoring' }]),
    binding('system:kube-scheduler', 'system:kube-scheduler', [{ kind: 'User', name: 'system:kube-scheduler' }]),
    binding('system:volume-scheduler', 'system:volume-scheduler', [{ kind: 'User', name: 'system:kube-scheduler' }]),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', [
      { kind: 'User', name: 'system:kube-controller-manager' },
    ]),
    binding('system:tutti:metrics-server', 'system:tutti:metrics-server', [
      { kind: 'User', name: METRICS_SCRAPER_USER },
    ]),
    // As kubeadm binds them: bootstrappers may ask for and be auto-approved a kubelet client certificate,
    // nodes may renew their own.
    binding('system:node-bootstrapper', 'system:node-bootstrapper', [{ kind: 'Group', name: 'system:bootstrappers' }]),
    binding(
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      [{ kind: 'Group', name: 'system:bootstrappers' }],
    ),
    binding(
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
      [{ kind: 'Group', name: 'system:nodes' }],
    ),
    // The API server's identity towards agents (k3s's kube-apiserver-kubelet-admin binding).
    binding('system:kube-apiserver-kubelet-client', 'system:kubelet-api-admin', [
      { kind: 'User', name: KUBELET_CLIENT_USER },
    ]),
    // The scraper, and Prometheus's scrape token (`<data-dir>/metrics-token`) for the agents' /metrics.
    binding('system:tutti:metrics-scraper', 'system:tutti:metrics-scraper', [
      { kind: 'User', name: METRICS_SCRAPER_USER },
      { kind: 'User', name: PROMETHEUS_USER },
    ]),
  ];
}

/** The default RoleBindings: [namespace, binding]. */
export function bootstrapRoleBindings(): RoleBinding[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'system:tutti:node-network',
        namespace: 'kube-system',
        labels: BOOTSTRAP,
        annotations: AUTOUPDATE,
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:tutti:node-network' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: 'system:tutti:node-config',
        namespace: 'kube-system',
        labels: BOOTSTRAP,
        annotations: AUTOUPDATE,
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:tutti:node-config' },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:bootstrappers' },
      ],
    },
  ];
}
