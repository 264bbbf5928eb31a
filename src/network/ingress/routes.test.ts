import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointSlice, Ingress, IngressClass, Service } from '../../core/types.js';
import { buildRouteTable, matchRoute, normalizeHost, pathMatches, type RouteInputs, tlsSecretFor } from './routes.js';

const tuttiClass = (isDefault = true): IngressClass => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: {
    name: 'tutti',
    creationTimestamp: '2026-01-01T00:00:00Z',
    annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {},
  },
  spec: { controller: 'tutti.io/ingress' },
});

function svc(name: string, ports: { name?: string; port: number; protocol?: string }[], ns = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports } } as Service;
}

function slice(
  svcName: string,
  ports: { name?: string; port: number }[],
  eps: { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean }[],
  ns = 'default',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svcName}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': svcName } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    })),
  } as EndpointSlice;
}

type Path = { path?: string; pathType: string; service: string; port: number | string };
function ingress(
  name: string,
  rules: { host?: string; paths: Path[] }[],
  extra: Partial<Ingress['spec']> & { created?: string; className?: string | null; ns?: string } = {},
): Ingress {
  const be = (service: string, port: number | string) => ({
    service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } },
  });
  const { created, className, ns, ...spec } = extra;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns ?? 'default', creationTimestamp: created ?? '2026-01-02T00:00:00Z' },
    spec: {
      ...(className === null ? {} : { ingressClassName: className ?? 'tutti' }),
      ...spec,
      rules: rules.map((r) => ({
        host: r.host,
        http: { paths: r.paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: be(p.service, p.port) })) },
      })),
    },
  } as Ingress;
}

const base = (ingresses: Ingress[], classes = [tuttiClass()]): RouteInputs => ({
  ingresses,
  classes,
  services: [svc('a', [{ name: 'http', port: 80 }]), svc('b', [{ port: 8080 }]), svc('c', [{ name: 'web', port: 80 }])],
  slices: [
    slice('a', [{ name: 'http', port: 9001 }], [{ ip: '10.42.0.1' }, { ip: '10.42.0.2', ready: false }]),
    slice('b', [{ port: 9002 }], [{ ip: '10.42.0.3' }]),
    slice('c', [{ name: 'web', port: 9003 }], [{ ip: '10.42.0.4', ready: false, serving: true, terminating: true }]),
  ],
});

const target = (inputs: RouteInputs, host: string, path: string) => {
  const m = matchRoute(buildRouteTable(inputs), host, path);
  return m?.backend.service;
};

describe('ingress path matching (upstream Prefix/Exact examples)', () => {
  // The table of https://kubernetes.io/docs/concepts/services-networking/ingress/#examples
  const cases: [string, string, string, boolean][] = [
    ['Prefix', '/', '/anything/at/all', true],
    ['Exact', '/foo', '/foo', true],
    ['Exact', '/foo', '/bar', false],
    ['Exact', '/foo', '/foo/', false],
    ['Exact', '/foo/', '/foo', false],
    ['Prefix', '/foo', '/foo', true],
    ['Prefix', '/foo', '/foo/', true],
    ['Prefix', '/foo/', '/foo', true],
    ['Prefix', '/foo/', '/foo/', true],
    ['Prefix', '/aaa/bb', '/aaa/bbb', false],
    ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
  ];
  for (const [type, rule, req, want] of cases) {
    it(`${type} ${rule} ${want ? 'matches' : 'does not match'} ${req}`, () => {
      assert.equal(pathMatches(type as 'Exact' | 'Prefix', rule, req), want);
    });
  }

  it('the longest path wins; Exact beats Prefix on the same path', () => {
    const inputs = base([
      ingress('i', [
        {
          host: 'x.example',
          paths: [
            { path: '/', pathType: 'Prefix', service: 'a', port: 80 },
            { path: '/aaa', pathType: 'Prefix', service: 'b', port: 8080 },
            { path: '/aaa/bbb', pathType: 'Prefix', service: 'c', port: 'web' },
            { path: '/aaa', pathType: 'Exact', service: 'c', port: 80 },
          ],
        },
      ]),
    ]);
    assert.equal(target(inputs, 'x.example', '/aaa/bbb/ccc'), 'default/c:web');
    assert.equal(target(inputs, 'x.example', '/aaa/ccc'), 'default/b:8080');
    assert.equal(target(inputs, 'x.example', '/aaa'), 'default/c:80');
    assert.equal(target(inputs, 'x.example', '/aaa/'), 'default/b:8080');
    assert.equal(target(inputs, 'x.example', '/zzz'), 'default/a:80');
  });

  it('ImplementationSpecific reads as Prefix', () => {
    const inputs = base([
      ingress('i', [{ paths: [{ path: '/api', pathType: 'ImplementationSpecific', service: 'b', port: 8080 }] }]),
    ]);
    assert.equal(target(inputs, 'any', '/api/v1'), 'default/b:8080');
    assert.equal(target(inputs, 'any', '/apis'), undefined);
  });
});

describe('ingress host matching', () => {
  const inputs = base([
    ingress('i', [
      { host: 'a.example', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 'http' }] },
      { host: '*.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'b', port: 8080 }] },
      { host: 'exact.foo.com', paths: [{ path: '/only', pathType: 'Exact', service: 'c', port: 80 }] },
      { paths: [{ path: '/any', pathType: 'Prefix', service: 'c', port: 80 }] },
    ]),
  ]);

  it('exact host, case-insensitive, port ignored', () => {
    assert.equal(target(inputs, 'a.example', '/'), 'default/a:http');
    assert.equal(target(inputs, 'A.Example:8080', '/x'), 'default/a:http');
    assert.equal(target(inputs, 'a.example.', '/x'), 'default/a:http');
  });

  it('a wildcard matches exactly one more label', () => {
    assert.equal(target(inputs, 'bar.foo.com', '/'), 'default/b:8080');
    assert.equal(target(inputs, 'baz.bar.foo.com', '/'), undefined);
    assert.equal(target(inputs, 'foo.com', '/'), undefined);
  });

  it('an exact host without a matching path falls through to the wildcard, then the host-less rules', () => {
    assert.equal(target(inputs, 'exact.foo.com', '/only'), 'default/c:80');
    assert.equal(target(inputs, 'exact.foo.com', '/other'), 'default/b:8080');
    assert.equal(target(inputs, 'a.example', '/any'), 'default/a:http'); // a.example's / is longer-match-free but exact host first
    assert.equal(target(inputs, 'other.example', '/any/x'), 'default/c:80');
    assert.equal(target(inputs, 'other.example', '/nope'), undefined);
    assert.equal(target(inputs, '[::1]:80', '/any'), 'default/c:80');
  });

  it('normalizeHost', () => {
    assert.equal(normalizeHost('[::1]:8443'), '[::1]');
    assert.equal(normalizeHost(undefined), '');
    assert.equal(normalizeHost('Web.Example:80'), 'web.example');
  });
});

describe('ingress backends and endpoints', () => {
  it('resolves the service port by number or name to the slice port; only ready endpoints', () => {
    const inputs = base([
      ingress('i', [
        { host: 'a', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] },
        { host: 'b', paths: [{ path: '/', pathType: 'Prefix', service: 'b', port: 8080 }] },
      ]),
    ]);
    const table = buildRouteTable(inputs);
    assert.deepEqual(matchRoute(table, 'a', '/')?.backend.endpoints, [{ ip: '10.42.0.1', port: 9001 }]);
    assert.deepEqual(matchRoute(table, 'b', '/')?.backend.endpoints, [{ ip: '10.42.0.3', port: 9002 }]);
  });

  it('falls back to serving terminating endpoints when none is ready', () => {
    const table = buildRouteTable(
      base([ingress('i', [{ paths: [{ path: '/', pathType: 'Prefix', service: 'c', port: 'web' }] }])]),
    );
    assert.deepEqual(matchRoute(table, 'x', '/')?.backend.endpoints, [{ ip: '10.42.0.4', port: 9003 }]);
  });

  it('says why a backend has no endpoints', () => {
    const table = buildRouteTable(
      base([
        ingress('i', [
          { host: 'gone', paths: [{ path: '/', pathType: 'Prefix', service: 'missing', port: 80 }] },
          { host: 'port', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 81 }] },
          { host: 'named', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 'nope' }] },
        ]),
      ]),
    );
    assert.equal(matchRoute(table, 'gone', '/')?.backend.reason, 'service-not-found');
    assert.equal(matchRoute(table, 'port', '/')?.backend.reason, 'port-not-found');
    assert.equal(matchRoute(table, 'named', '/')?.backend.reason, 'port-not-found');
    const noEps = buildRouteTable({
      ...base([ingress('i', [{ paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }])]),
      slices: [],
    });
    assert.equal(matchRoute(noEps, 'x', '/')?.backend.reason, 'no-endpoints');
  });

  it('services and slices of another namespace are not used', () => {
    const inputs = base([
      ingress('i', [{ paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }], { ns: 'other' }),
    ]);
    const table = buildRouteTable(inputs);
    assert.equal(matchRoute(table, 'x', '/')?.backend.reason, 'service-not-found');
    assert.deepEqual([...table.services], ['other/a'], 'the Services whose changes matter, existing or not');
  });

  it('the default backend serves what no rule matches; the oldest Ingress wins conflicts', () => {
    const old = ingress('old', [{ host: 'h', paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }], {
      created: '2026-01-01T00:00:00Z',
      defaultBackend: { service: { name: 'b', port: { number: 8080 } } },
    });
    const young = ingress(
      'young',
      [
        {
          host: 'h',
          paths: [
            { path: '/', pathType: 'Prefix', service: 'c', port: 80 },
            { path: '/y', pathType: 'Prefix', service: 'c', port: 80 },
          ],
        },
      ],
      { created: '2026-03-01T00:00:00Z', defaultBackend: { service: { name: 'c', port: { number: 80 } } } },
    );
    const inputs = base([young, old]);
    assert.equal(target(inputs, 'h', '/x'), 'default/a:80');
    assert.equal(target(inputs, 'h', '/y/1'), 'default/c:80');
    assert.equal(target(inputs, 'elsewhere', '/'), 'default/b:8080');
    assert.deepEqual(buildRouteTable(inputs).ingresses, ['default/old', 'default/young']);
    assert.deepEqual([...buildRouteTable(inputs).services].sort(), ['default/a', 'default/b', 'default/c']);
  });
});

describe('ingress class', () => {
  const one = (className: string | null) =>
    ingress('i', [{ paths: [{ path: '/', pathType: 'Prefix', service: 'a', port: 80 }] }], { className });

  it('serves class tutti, and no class only while tutti is the default class', () => {
    assert.equal(target(base([one('tutti')], [tuttiClass(false)]), 'x', '/'), 'default/a:80');
    assert.equal(target(base([one(null)], [tuttiClass(true)]), 'x', '/'), 'default/a:80');
    assert.equal(target(base([one(null)], [tuttiClass(false)]), 'x', '/'), undefined);
    assert.equal(target(base([one('nginx')], [tuttiClass(true)]), 'x', '/'), undefined);
  });

  it('serves any class whose controller is tutti.io/ingress; a newer default of another controller wins', () => {
    const mine: IngressClass = { ...tuttiClass(false), metadata: { name: 'edge' } };
    assert.equal(target(base([one('edge')], [mine]), 'x', '/'), 'default/a:80');
    const nginx: IngressClass = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: {
        name: 'nginx',
        creationTimestamp: '2026-06-01T00:00:00Z',
        annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
      },
      spec: { controller: 'k8s.io/ingress-nginx' },
    };
    assert.equal(target(base([one(null)], [tuttiClass(true), nginx]), 'x', '/'), undefined);
  });

  it('the deprecated kubernetes.io/ingress.class annotation counts', () => {
    const ing = one(null);
    ing.metadata.annotations = { 'kubernetes.io/ingress.class': 'tutti' };
    assert.equal(target(base([ing], [tuttiClass(false)]), 'x', '/'), 'default/a:80');
  });
});

describe('ingress TLS', () => {
  it('chooses the secret by SNI: exact, then wildcard, then a host-less entry; oldest first', () => {
    const i1 = ingress('i1', [], {
      created: '2026-01-01T00:00:00Z',
      tls: [
        { hosts: ['a.example'], secretName: 'a-cert' },
        { hosts: ['*.foo.com'], secretName: 'wild' },
      ],
    });
    const i2 = ingress('i2', [], {
      ns: 'team',
      tls: [{ hosts: ['a.example'], secretName: 'late' }, { secretName: 'fallback' }],
    });
    const table = buildRouteTable(base([i2, i1]));
    assert.equal(tlsSecretFor(table, 'A.example'), 'default/a-cert');
    assert.equal(tlsSecretFor(table, 'x.foo.com'), 'default/wild');
    assert.equal(tlsSecretFor(table, 'y.x.foo.com'), 'team/fallback');
    assert.equal(tlsSecretFor(table, undefined), 'team/fallback');
    assert.equal(tlsSecretFor(buildRouteTable(base([i1])), 'other'), undefined);
  });
});
