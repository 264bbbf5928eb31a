import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { validatorFor } from './index.js';
import { fields } from './testdata.js';

const messages = (errs: { field: string; message: string }[]) => errs.map((e) => `${e.field}: ${e.message}`);
const backend = { service: { name: 'web', port: { number: 80 } } };

describe('Ingress', () => {
  const v = validatorFor('networking.k8s.io', 'Ingress')!;
  const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
    metadata: { name: 'web', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec,
    status: { loadBalancer: {} },
  });

  it('accepts rules with paths, wildcard hosts, TLS and a default backend', () => {
    const rules = [
      { host: 'foo.com', http: { paths: [{ path: '/bar', pathType: 'Exact', backend }] } },
      { host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } },
    ];
    assert.deepEqual(
      v(ingress({ ingressClassName: 'nginx', rules, tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }] })),
      [],
    );
    assert.deepEqual(v(ingress({ defaultBackend: { service: { name: 'web', port: { name: 'http' } } } })), []);
  });

  it('needs rules or a default backend, path types, absolute paths and one backend port', () => {
    assert.deepEqual(messages(v(ingress({}))), [
      'spec: Invalid value: null: either `defaultBackend` or `rules` must be specified',
    ]);
    const rules = [
      {
        host: '10.0.0.1',
        http: {
          paths: [
            { path: '/a', backend },
            {
              path: 'rel',
              pathType: 'Prefix',
              backend: { service: { name: 'web', port: { name: 'http', number: 80 } } },
            },
            { path: '/a//b', pathType: 'Exact', backend: {} },
            { path: '/', pathType: 'Regex', backend },
          ],
        },
      },
    ];
    assert.deepEqual(messages(v(ingress({ rules }))), [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[1].path: Invalid value: "rel": must be an absolute path',
      'spec.rules[0].http.paths[1].backend: Invalid value: "": cannot set both port name & port number',
      'spec.rules[0].http.paths[2].path: Invalid value: "/a//b": must not contain \'//\'',
      'spec.rules[0].http.paths[2].backend: Invalid value: "": resource or service backend is required',
      'spec.rules[0].http.paths[3].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ]);
  });

  it('checks wildcard hosts and the class annotation', () => {
    const rules = [{ host: 'foo.*.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }];
    const errs = v(ingress({ rules }));
    assert.deepEqual(fields(errs), ['spec.rules[0].host FieldValueInvalid']);
    assert.match(errs[0]!.message, /a wildcard DNS-1123 subdomain must start with '\*\.'/);
    const annotated = ingress(
      { ingressClassName: 'nginx', defaultBackend: backend },
      { 'kubernetes.io/ingress.class': 'traefik' },
    );
    assert.deepEqual(messages(v(annotated)), [
      'annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
    ]);
  });
});

describe('IngressClass', () => {
  const v = validatorFor('networking.k8s.io', 'IngressClass')!;
  const ic = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'nginx' }, spec });

  it('needs a domain-prefixed controller that never changes, and scoped parameters', () => {
    assert.deepEqual(v(ic({ controller: 'k8s.io/ingress-nginx' })), []);
    assert.deepEqual(messages(v(ic({ controller: 'nginx' }))), [
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    ]);
    assert.deepEqual(messages(v(ic({ controller: 'k8s.io/b' }), ic({ controller: 'k8s.io/a' }))), [
      'spec.controller: Invalid value: "k8s.io/b": field is immutable',
    ]);
    const params = { kind: 'Params', name: 'p', scope: 'Namespace' };
    assert.deepEqual(messages(v(ic({ controller: 'k8s.io/a', parameters: params }))), [
      "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
    ]);
  });
});

describe('NetworkPolicy', () => {
  const v = validatorFor('networking.k8s.io', 'NetworkPolicy')!;
  const np = (spec: Record<string, unknown>): KubeObject => ({
    metadata: { name: 'np', namespace: 'default' },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ...spec },
  });

  it('accepts peers, ports and IP blocks', () => {
    const ingress = [
      {
        from: [
          { podSelector: { matchLabels: { app: 'web' } } },
          { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } },
        ],
        ports: [{ protocol: 'TCP', port: 80, endPort: 90 }, { port: 'http' }],
      },
    ];
    assert.deepEqual(v(np({ ingress })), []);
  });

  it('rejects empty peers, mixed ipBlock peers, bad ports, CIDRs and policy types', () => {
    const ingress = [
      {
        from: [
          {},
          { ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} },
          { ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] } },
          { ipBlock: { cidr: 'nope' } },
        ],
        ports: [{ protocol: 'ICMP', port: 80, endPort: 70 }],
      },
    ];
    assert.deepEqual(messages(v(np({ ingress, policyTypes: ['Ingress', 'Sideways'] }))), [
      'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      'spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`',
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
      'spec.ingress[0].from[2].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`',
      'spec.ingress[0].from[3].ipBlock.cidr: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]);
  });
});

describe('PodDisruptionBudget', () => {
  const v = validatorFor('policy', 'PodDisruptionBudget')!;
  const pdb = (spec: Record<string, unknown>): KubeObject => ({
    metadata: { name: 'pdb', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'db' } }, ...spec },
    status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  });

  it('accepts one of minAvailable and maxUnavailable as a count or a percentage', () => {
    assert.deepEqual(v(pdb({ minAvailable: 1 })), []);
    assert.deepEqual(v(pdb({ maxUnavailable: '50%', unhealthyPodEvictionPolicy: 'AlwaysAllow' })), []);
  });

  it('rejects both set, negative counts, percentages over 100 and unknown eviction policies', () => {
    const errs = v(pdb({ minAvailable: -1, maxUnavailable: '150%', unhealthyPodEvictionPolicy: 'Never' }));
    assert.deepEqual(fields(errs), [
      'spec FieldValueInvalid',
      'spec.minAvailable FieldValueInvalid',
      'spec.maxUnavailable FieldValueInvalid',
      'spec.unhealthyPodEvictionPolicy FieldValueNotSupported',
    ]);
    assert.match(errs[0]!.message, /: minAvailable and maxUnavailable cannot be both set$/);
    assert.equal(errs[2]!.message, 'Invalid value: "150%": must not be greater than 100%');
    assert.equal(errs[3]!.message, 'Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"');
  });
});

describe('PriorityClass', () => {
  const v = validatorFor('scheduling.k8s.io', 'PriorityClass')!;
  const pc = (name: string, value: number, extra: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name },
    value,
    preemptionPolicy: 'PreemptLowerPriority',
    ...extra,
  });

  it('accepts user classes up to one billion and the two system classes as built in', () => {
    assert.deepEqual(v(pc('high', 1000000000)), []);
    assert.deepEqual(v(pc('system-node-critical', 2000001000)), []);
    assert.deepEqual(v(pc('system-cluster-critical', 2000000000)), []);
  });

  it('reserves the system- prefix and caps user values', () => {
    assert.deepEqual(messages(v(pc('system-foo', 10))), [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class",
    ]);
    assert.deepEqual(messages(v(pc('system-node-critical', 10))), [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-node-critical PriorityClass must be 2000001000",
    ]);
    assert.deepEqual(messages(v(pc('huge', 1000000001, { preemptionPolicy: 'Always' }))), [
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
      'preemptionPolicy: Unsupported value: "Always": supported values: "Never", "PreemptLowerPriority"',
    ]);
  });

  it('keeps value and preemptionPolicy on update', () => {
    assert.deepEqual(v(pc('high', 5, { description: 'new' }), pc('high', 5)), []);
    assert.deepEqual(messages(v(pc('high', 6, { preemptionPolicy: 'Never' }), pc('high', 5))), [
      'value: Forbidden: may not be changed in an update.',
      'preemptionPolicy: Invalid value: "Never": field is immutable',
    ]);
  });
});

describe('APIService', () => {
  const v = validatorFor('apiregistration.k8s.io', 'APIService')!;
  const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec });

  it('accepts local and service-backed APIs named version.group', () => {
    assert.deepEqual(
      v(svc('v1.apps', { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 })),
      [],
    );
    const remote = {
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      groupPriorityMinimum: 100,
      versionPriority: 100,
      insecureSkipTLSVerify: true,
      service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
    };
    assert.deepEqual(v(svc('v1beta1.metrics.k8s.io', remote)), []);
  });

  it('rejects a wrong name, priorities out of range and local TLS settings', () => {
    const errs = v(
      svc('metrics', {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 0,
        versionPriority: 1001,
        insecureSkipTLSVerify: true,
      }),
    );
    assert.deepEqual(messages(errs), [
      'metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"',
      'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000',
      'spec.versionPriority: Invalid value: 1001: must be positive and less than 1000',
      'spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify',
    ]);
  });
});
