// Installing a real operator as its users do: the operator-sdk tutorial's memcached-operator, whose
// `make deploy` (kustomize build config/default | kubectl apply -f -) writes a Namespace, a controller-gen
// CustomResourceDefinition, RBAC (manager, leader election, metrics reader, auth proxy), a metrics Service and
// the manager Deployment. Helm cannot be installed from the registries this machine reaches, so the issue's
// "published charts install" is shown with this manifest, written out offline in the layout that operator-sdk
// v1.3x generates. Then its custom objects: accepted, validated (422 naming the field), status written through
// the subresource with metav1.Condition's schema, listed, and the operator's ServiceAccount holding exactly what
// its ClusterRole grants.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestServer, pollUntil, startTestServer } from './harness.js';

const NS = 'memcached-operator-system';
const SA = `system:serviceaccount:${NS}:memcached-operator-controller-manager`;

const OBJECT_META_DESCRIPTIONS = `
          apiVersion:
            description: |-
              APIVersion defines the versioned schema of this representation of an object.
              Servers should convert recognized schemas to the latest internal value, and
              may reject unrecognized values.
              More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources
            type: string
          kind:
            description: |-
              Kind is a string value representing the REST resource this object represents.
              Servers may infer this from the endpoint the client submits requests to.
              Cannot be updated.
              In CamelCase.
              More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds
            type: string
          metadata:
            type: object`;

const INSTALL = `apiVersion: v1
kind: Namespace
metadata:
  labels:
    app.kubernetes.io/component: manager
    app.kubernetes.io/created-by: memcached-operator
    app.kubernetes.io/instance: system
    app.kubernetes.io/managed-by: kustomize
    app.kubernetes.io/name: namespace
    app.kubernetes.io/part-of: memcached-operator
    control-plane: controller-manager
  name: ${NS}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  annotations:
    controller-gen.kubebuilder.io/version: v0.14.0
  name: memcacheds.cache.example.com
spec:
  group: cache.example.com
  names:
    kind: Memcached
    listKind: MemcachedList
    plural: memcacheds
    singular: memcached
  scope: Namespaced
  versions:
  - name: v1alpha1
    schema:
      openAPIV3Schema:
        description: Memcached is the Schema for the memcacheds API
        properties:${OBJECT_META_DESCRIPTIONS}
          spec:
            description: MemcachedSpec defines the desired state of Memcached
            properties:
              containerPort:
                description: Port defines the port that will be used to init the container with the image
                format: int32
                type: integer
              size:
                description: |-
                  Size defines the number of Memcached instances
                  The following markers will use OpenAPI v3 schema to validate the value
                  More info: https://book.kubebuilder.io/reference/markers/crd-validation.html
                format: int32
                maximum: 3
                minimum: 1
                type: integer
            type: object
          status:
            description: MemcachedStatus defines the observed state of Memcached
            properties:
              conditions:
                items:
                  description: Condition contains details for one aspect of the current state of this API Resource.
                  properties:
                    lastTransitionTime:
                      description: |-
                        lastTransitionTime is the last time the condition transitioned from one status to another.
                        This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.
                      format: date-time
                      type: string
                    message:
                      description: |-
                        message is a human readable message indicating details about the transition.
                        This may be an empty string.
                      maxLength: 32768
                      type: string
                    observedGeneration:
                      description: |-
                        observedGeneration represents the .metadata.generation that the condition was set based upon.
                      format: int64
                      minimum: 0
                      type: integer
                    reason:
                      description: |-
                        reason contains a programmatic identifier indicating the reason for the condition's last transition.
                      maxLength: 1024
                      minLength: 1
                      pattern: ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$
                      type: string
                    status:
                      description: status of the condition, one of True, False, Unknown.
                      enum:
                      - "True"
                      - "False"
                      - Unknown
                      type: string
                    type:
                      description: type of condition in CamelCase or in foo.example.com/CamelCase.
                      maxLength: 316
                      pattern: ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$
                      type: string
                  required:
                  - lastTransitionTime
                  - message
                  - reason
                  - status
                  - type
                  type: object
                type: array
                x-kubernetes-list-map-keys:
                - type
                x-kubernetes-list-type: map
            type: object
        type: object
    served: true
    storage: true
    subresources:
      status: {}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  labels:
    app.kubernetes.io/name: serviceaccount
    app.kubernetes.io/part-of: memcached-operator
  name: memcached-operator-controller-manager
  namespace: ${NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  labels:
    app.kubernetes.io/name: role
    app.kubernetes.io/part-of: memcached-operator
  name: memcached-operator-leader-election-role
  namespace: ${NS}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, list, watch, create, update, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: memcached-operator-manager-role
rules:
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [create, delete, get, list, patch, update, watch]
- apiGroups: [cache.example.com]
  resources: [memcacheds]
  verbs: [create, delete, get, list, patch, update, watch]
- apiGroups: [cache.example.com]
  resources: [memcacheds/finalizers]
  verbs: [update]
- apiGroups: [cache.example.com]
  resources: [memcacheds/status]
  verbs: [get, patch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  labels:
    app.kubernetes.io/name: clusterrole
    app.kubernetes.io/part-of: memcached-operator
  name: memcached-operator-metrics-reader
rules:
- nonResourceURLs: [/metrics]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  labels:
    app.kubernetes.io/name: clusterrole
    app.kubernetes.io/part-of: memcached-operator
  name: memcached-operator-proxy-role
rules:
- apiGroups: [authentication.k8s.io]
  resources: [tokenreviews]
  verbs: [create]
- apiGroups: [authorization.k8s.io]
  resources: [subjectaccessreviews]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: memcached-operator-leader-election-rolebinding
  namespace: ${NS}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: memcached-operator-leader-election-role
subjects:
- kind: ServiceAccount
  name: memcached-operator-controller-manager
  namespace: ${NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: memcached-operator-manager-rolebinding
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: memcached-operator-manager-role
subjects:
- kind: ServiceAccount
  name: memcached-operator-controller-manager
  namespace: ${NS}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: memcached-operator-proxy-rolebinding
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: memcached-operator-proxy-role
subjects:
- kind: ServiceAccount
  name: memcached-operator-controller-manager
  namespace: ${NS}
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app.kubernetes.io/name: service
    app.kubernetes.io/part-of: memcached-operator
    control-plane: controller-manager
  name: memcached-operator-controller-manager-metrics-service
  namespace: ${NS}
spec:
  ports:
  - name: https
    port: 8443
    protocol: TCP
    targetPort: https
  selector:
    control-plane: controller-manager
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: deployment
    app.kubernetes.io/part-of: memcached-operator
    control-plane: controller-manager
  name: memcached-operator-controller-manager
  namespace: ${NS}
spec:
  replicas: 1
  selector:
    matchLabels:
      control-plane: controller-manager
  template:
    metadata:
      annotations:
        kubectl.kubernetes.io/default-container: manager
      labels:
        control-plane: controller-manager
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions:
              - key: kubernetes.io/arch
                operator: In
                values: [amd64, arm64, ppc64le, s390x]
              - key: kubernetes.io/os
                operator: In
                values: [linux]
      containers:
      - args:
        - --secure-listen-address=0.0.0.0:8443
        - --upstream=http://127.0.0.1:8080/
        - --logtostderr=true
        - --v=0
        image: gcr.io/kubebuilder/kube-rbac-proxy:v0.15.0
        name: kube-rbac-proxy
        ports:
        - containerPort: 8443
          name: https
          protocol: TCP
        resources:
          limits: {cpu: 500m, memory: 128Mi}
          requests: {cpu: 5m, memory: 64Mi}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
      - args:
        - --health-probe-bind-address=:8081
        - --metrics-bind-address=127.0.0.1:8080
        - --leader-elect
        command: [/manager]
        env:
        - name: MEMCACHED_IMAGE
          value: memcached:1.4.36-alpine
        image: example.com/memcached-operator:v0.0.1
        livenessProbe:
          httpGet: {path: /healthz, port: 8081}
          initialDelaySeconds: 15
          periodSeconds: 20
        name: manager
        readinessProbe:
          httpGet: {path: /readyz, port: 8081}
          initialDelaySeconds: 5
          periodSeconds: 10
        resources:
          limits: {cpu: 500m, memory: 128Mi}
          requests: {cpu: 10m, memory: 64Mi}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop: [ALL]
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      serviceAccountName: memcached-operator-controller-manager
      terminationGracePeriodSeconds: 10
`;

const SAMPLE = `apiVersion: cache.example.com/v1alpha1
kind: Memcached
metadata:
  labels:
    app.kubernetes.io/name: memcached
    app.kubernetes.io/instance: memcached-sample
    app.kubernetes.io/part-of: memcached-operator
    app.kubernetes.io/managed-by: kustomize
    app.kubernetes.io/created-by: memcached-operator
  name: memcached-sample
spec:
  size: 1
  containerPort: 11211
`;

describe('a real operator installs through kubectl apply (memcached-operator, operator-sdk layout)', () => {
  let s: TestServer;
  let dir: string;
  const file = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  before(async () => {
    s = await startTestServer({ controlPlane: true });
    dir = mkdtempSync(join(tmpdir(), 'tutti-operator-'));
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies the install manifest: every object is created, the CRD is Established', async () => {
    const out = await s.k('apply', '-f', file('install.yaml', INSTALL));
    for (const line of [
      `namespace/${NS} created`,
      'customresourcedefinition.apiextensions.k8s.io/memcacheds.cache.example.com created',
      'serviceaccount/memcached-operator-controller-manager created',
      'role.rbac.authorization.k8s.io/memcached-operator-leader-election-role created',
      'clusterrole.rbac.authorization.k8s.io/memcached-operator-manager-role created',
      'clusterrolebinding.rbac.authorization.k8s.io/memcached-operator-manager-rolebinding created',
      'service/memcached-operator-controller-manager-metrics-service created',
      'deployment.apps/memcached-operator-controller-manager created',
    ]) {
      assert.ok(out.includes(line), `missing "${line}" in:\n${out}`);
    }
    await s.k('wait', '--for=condition=Established', '--timeout=20s', 'crd/memcacheds.cache.example.com');
    // The Deployment went through its controller: a ReplicaSet with the manager's pod template.
    const rs = await pollUntil(
      'the manager ReplicaSet',
      async () => {
        const list = JSON.parse(await s.k('get', 'rs', '-n', NS, '-o', 'json')).items;
        return list.length === 1
          ? (list[0] as { spec: { template: { spec: { serviceAccountName: string } } } })
          : undefined;
      },
      20_000,
    );
    assert.equal(rs.spec.template.spec.serviceAccountName, 'memcached-operator-controller-manager');
    // A second apply of the same manifest changes nothing.
    const again = await s.k('apply', '-f', join(dir, 'install.yaml'));
    assert.ok(!/created|configured/.test(again), again);
    assert.ok(again.includes('deployment.apps/memcached-operator-controller-manager unchanged'), again);
  });

  it('accepts the sample custom object and lists it', async () => {
    assert.match(
      await s.k('apply', '-f', file('sample.yaml', SAMPLE)),
      /memcached.cache.example.com\/memcached-sample created/,
    );
    const got = JSON.parse(await s.k('get', 'memcacheds', 'memcached-sample', '-o', 'json'));
    assert.equal(got.spec.size, 1);
    assert.equal(got.spec.containerPort, 11211);
    assert.match(await s.k('get', 'memcached'), /memcached-sample/);
  });

  it('refuses a size over the schema maximum with a 422 naming the field', async () => {
    const r = await s.kubectl(['apply', '-f', file('big.yaml', SAMPLE.replace('size: 1', 'size: 5'))]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.size: Invalid value: 5: spec\.size in body should be less than or equal to 3/);
    const bad = await s.kubectl([
      'patch',
      'memcached',
      'memcached-sample',
      '--type=merge',
      '-p',
      '{"spec":{"size":"two"}}',
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer/);
  });

  it('writes status conditions through the status subresource, validated by metav1.Condition’s schema', async () => {
    const cond = {
      type: 'Available',
      status: 'True',
      reason: 'Reconciling',
      message: 'Deployment for custom resource (memcached-sample) with 1 replicas created successfully',
      lastTransitionTime: '2026-12-02T18:00:00Z',
    };
    await s.k(
      'patch',
      'memcached',
      'memcached-sample',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { conditions: [cond] } }),
    );
    const got = JSON.parse(await s.k('get', 'memcached', 'memcached-sample', '-o', 'json'));
    assert.deepEqual(got.status.conditions, [cond]);
    const r = await s.kubectl([
      'patch',
      'memcached',
      'memcached-sample',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { conditions: [{ ...cond, reason: 'not a reason', status: 'Maybe' }] } }),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /status\.conditions\[0\]\.reason: Invalid value: "not a reason"/);
    assert.match(r.stderr, /status\.conditions\[0\]\.status: Unsupported value: "Maybe"/);
  });

  it('the operator’s ServiceAccount holds what its roles grant, and nothing more', async () => {
    const can = async (...args: string[]) => (await s.kubectl(['auth', 'can-i', `--as=${SA}`, ...args])).stdout.trim();
    assert.equal(await can('update', 'memcacheds.cache.example.com/status', '-n', 'default'), 'yes');
    assert.equal(await can('create', 'deployments.apps', '-n', 'default'), 'yes');
    assert.equal(await can('create', 'leases.coordination.k8s.io', '-n', NS), 'yes');
    assert.equal(await can('create', 'leases.coordination.k8s.io', '-n', 'default'), 'no');
    assert.equal(await can('get', 'secrets', '-n', NS), 'no');
    assert.equal(await can('delete', 'pods', '-n', 'default'), 'no');
  });

  it('deleting the install removes the CRD and its objects', async () => {
    // As the operator's `make undeploy`: the namespace's objects may already be gone when kubectl reaches them.
    await s.k('delete', '-f', join(dir, 'install.yaml'), '--ignore-not-found', '--wait=true', '--timeout=60s');
    const r = await s.kubectl(['get', 'crd', 'memcacheds.cache.example.com']);
    assert.match(r.stderr, /NotFound/);
    const ns = await s.kubectl(['get', 'ns', NS]);
    assert.match(ns.stderr, /NotFound/);
  });
});
