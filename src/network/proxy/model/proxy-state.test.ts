import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceProxyState } from './proxy-state.js';
import { staleUdpEntries } from './stale-udp.js';
import { NODE, service, slice } from './testing.js';
import type { ServicePortState } from './types.js';

const only = (st: ReturnType<typeof serviceProxyState>): ServicePortState => {
  assert.ok(st, 'service is proxied');
  assert.equal(st.ports.length, 1);
  return st.ports[0]!;
};
const ips = (bs: { ip: string }[]) => bs.map((b) => b.ip);

describe('serviceProxyState: which services', () => {
  it('skips headless, ExternalName and unallocated services', () => {
    assert.equal(serviceProxyState(service('h', { clusterIP: 'None' }), [], NODE), undefined);
    assert.equal(
      serviceProxyState(service('x', { type: 'ExternalName', externalName: 'example.org' }), [], NODE),
      undefined,
    );
    assert.equal(serviceProxyState(service('u', { clusterIP: '' }), [], NODE), undefined);
    assert.equal(
      serviceProxyState(service('v6', { clusterIP: 'fd00::10', clusterIPs: ['fd00::10'] }), [], NODE),
      undefined,
    );
  });

  it('names a port as upstream: namespace/name:port', () => {
    const sp = only(serviceProxyState(service('web', {}), [], NODE));
    assert.equal(sp.key, 'ns/web:http');
    const unnamed = only(serviceProxyState(service('web', { ports: [{ port: 80 }] }), [], NODE));
    assert.equal(unnamed.key, 'ns/web');
    assert.equal(unnamed.protocol, 'tcp', 'protocol defaults to TCP');
  });

  it('keeps TCP, UDP and SCTP ports and drops unknown protocols', () => {
    const st = serviceProxyState(
      service('dns', {
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          { name: 'sig', port: 3868, protocol: 'SCTP' },
          { name: 'odd', port: 1, protocol: 'QUIC' },
        ],
      }),
      [],
      NODE,
    );
    assert.deepEqual(
      st!.ports.map((p) => [p.key, p.protocol]),
      [
        ['ns/dns:dns', 'udp'],
        ['ns/dns:dns-tcp', 'tcp'],
        ['ns/dns:sig', 'sctp'],
      ],
    );
  });
});

describe('serviceProxyState: endpoints', () => {
  it('uses ready endpoints in address order, matched by port name and protocol', () => {
    const sp = only(
      serviceProxyState(
        service('web', {}),
        [
          slice('web', [{ ip: '10.42.1.9' }, { ip: '10.42.0.3' }, { ip: '10.42.0.20', ready: false }]),
          slice('web', [{ ip: '10.42.7.7' }], [{ name: 'http', port: 8080, protocol: 'UDP' }], 'web-udp'),
          slice('web', [{ ip: '10.42.8.8' }], [{ name: 'metrics', port: 9090 }], 'web-metrics'),
        ],
        NODE,
      ),
    );
    assert.deepEqual(sp.clusterEndpoints, [
      { ip: '10.42.0.3', port: 8080 },
      { ip: '10.42.1.9', port: 8080 },
    ]);
    assert.equal(sp.hasEndpoints, true);
    assert.equal(sp.hasInternalEndpoints, true);
  });

  it('treats unset conditions as ready, and a ready copy of an endpoint wins over a not-ready one', () => {
    const sp = only(
      serviceProxyState(
        service('web', {}),
        [
          slice('web', [{ ip: '10.42.0.3', ready: false }], undefined, 'a'),
          slice('web', [{ ip: '10.42.0.3' }], undefined, 'b'),
        ],
        NODE,
      ),
    );
    assert.deepEqual(ips(sp.clusterEndpoints), ['10.42.0.3']);
  });

  it('ignores IPv6 and FQDN slices and ports without a number', () => {
    const sp = only(
      serviceProxyState(
        service('web', {}),
        [
          slice('web', [{ ip: 'fd00::1' }], undefined, 'v6', 'IPv6'),
          slice('web', [{ ip: 'db.example' }], undefined, 'fqdn', 'FQDN'),
          slice('web', [{ ip: '10.42.0.3' }], [{ name: 'http' }], 'noport'),
        ],
        NODE,
      ),
    );
    assert.deepEqual(sp.clusterEndpoints, []);
    assert.equal(sp.hasEndpoints, false);
  });

  it('falls back to serving-terminating endpoints only when none is ready (upstream 1.28+)', () => {
    const eps = [
      { ip: '10.42.0.3', ready: false, serving: true, terminating: true },
      { ip: '10.42.0.4', ready: false, serving: false, terminating: true },
    ];
    const fallback = only(serviceProxyState(service('web', {}), [slice('web', eps)], NODE));
    assert.deepEqual(ips(fallback.clusterEndpoints), ['10.42.0.3']);
    assert.equal(fallback.hasEndpoints, true);
    const withReady = only(serviceProxyState(service('web', {}), [slice('web', [...eps, { ip: '10.42.0.9' }])], NODE));
    assert.deepEqual(ips(withReady.clusterEndpoints), ['10.42.0.9']);
  });

  it('has no endpoints without slices or with only not-serving ones', () => {
    assert.equal(only(serviceProxyState(service('web', {}), [], NODE)).hasEndpoints, false);
    const sp = only(serviceProxyState(service('web', {}), [slice('web', [{ ip: '10.42.0.3', ready: false }])], NODE));
    assert.equal(sp.hasEndpoints, false);
    assert.equal(sp.hasInternalEndpoints, false);
  });

  it('narrows to same-zone endpoints when every ready endpoint has a zone hint and one names this zone', () => {
    const node = { ...NODE, zone: 'z1' };
    const hinted = only(
      serviceProxyState(
        service('web', {}),
        [
          slice('web', [
            { ip: '10.42.0.3', zones: ['z1'] },
            { ip: '10.42.1.3', node: 'node-b', zones: ['z2'] },
          ]),
        ],
        node,
      ),
    );
    assert.deepEqual(ips(hinted.clusterEndpoints), ['10.42.0.3']);
    const partly = only(
      serviceProxyState(
        service('web', {}),
        [
          slice('web', [
            { ip: '10.42.0.3', zones: ['z1'] },
            { ip: '10.42.1.3', node: 'node-b' },
          ]),
        ],
        node,
      ),
    );
    assert.deepEqual(ips(partly.clusterEndpoints), ['10.42.0.3', '10.42.1.3'], 'a missing hint disables topology');
    const otherZone = only(
      serviceProxyState(service('web', {}), [slice('web', [{ ip: '10.42.1.3', node: 'node-b', zones: ['z2'] }])], node),
    );
    assert.deepEqual(ips(otherZone.clusterEndpoints), ['10.42.1.3'], 'no hint for this zone: all endpoints');
  });

  it('lists hairpin candidates: local endpoints and those of unknown node, never remote ones', () => {
    const sp = only(
      serviceProxyState(
        service('web', {}),
        [slice('web', [{ ip: '10.42.0.3' }, { ip: '10.42.1.3', node: 'node-b' }, { ip: '10.42.9.9', node: null }])],
        NODE,
      ),
    );
    assert.deepEqual(sp.hairpinIPs, ['10.42.0.3', '10.42.9.9']);
  });
});

describe('serviceProxyState: traffic policies', () => {
  const eps = [{ ip: '10.42.0.3' }, { ip: '10.42.1.3', node: 'node-b' }];

  it('internalTrafficPolicy Local: ClusterIP traffic only to local endpoints, dropped without one', () => {
    const sp = only(serviceProxyState(service('web', { internalTrafficPolicy: 'Local' }), [slice('web', eps)], NODE));
    assert.equal(sp.internalPolicyLocal, true);
    assert.deepEqual(ips(sp.localEndpoints), ['10.42.0.3']);
    assert.deepEqual(sp.clusterEndpoints, [], 'not externally reachable: Cluster policy unused');
    assert.equal(sp.hasInternalEndpoints, true);
    const remoteOnly = only(
      serviceProxyState(service('web', { internalTrafficPolicy: 'Local' }), [slice('web', [eps[1]!])], NODE),
    );
    assert.equal(remoteOnly.hasEndpoints, true);
    assert.equal(remoteOnly.hasInternalEndpoints, false);
  });

  it('externalTrafficPolicy Local applies to NodePort, LoadBalancer and ExternalIP traffic, not to ClusterIP-only ports', () => {
    const np = only(
      serviceProxyState(
        service('web', {
          type: 'NodePort',
          externalTrafficPolicy: 'Local',
          ports: [{ name: 'http', port: 80, nodePort: 30080 }],
        }),
        [slice('web', eps)],
        NODE,
      ),
    );
    assert.equal(np.externalPolicyLocal, true);
    assert.deepEqual(
      ips(np.clusterEndpoints),
      ['10.42.0.3', '10.42.1.3'],
      'cluster endpoints kept for short-circuiting',
    );
    assert.deepEqual(ips(np.localEndpoints), ['10.42.0.3']);
    assert.equal(np.hasExternalEndpoints, true);
    const plain = only(
      serviceProxyState(service('web', { externalTrafficPolicy: 'Local' }), [slice('web', eps)], NODE),
    );
    assert.equal(plain.externalPolicyLocal, false);
    const remote = only(
      serviceProxyState(
        service('web', {
          type: 'NodePort',
          externalTrafficPolicy: 'Local',
          ports: [{ name: 'http', port: 80, nodePort: 30080 }],
        }),
        [slice('web', [eps[1]!])],
        NODE,
      ),
    );
    assert.equal(remote.hasEndpoints, true);
    assert.equal(remote.hasExternalEndpoints, false, 'no local endpoint: external traffic is dropped');
    assert.equal(remote.hasInternalEndpoints, true, 'ClusterIP traffic still goes anywhere');
  });

  it('falls back to local serving-terminating endpoints for Local policy', () => {
    const sp = only(
      serviceProxyState(
        service('web', { internalTrafficPolicy: 'Local' }),
        [
          slice('web', [
            { ip: '10.42.0.3', ready: false, serving: true, terminating: true },
            { ip: '10.42.1.3', node: 'node-b' },
          ]),
        ],
        NODE,
      ),
    );
    assert.deepEqual(ips(sp.localEndpoints), ['10.42.0.3']);
  });

  it('collects ExternalIPs and LoadBalancer ingress IPs (IPv4, not ipMode Proxy) and NodePorts in range', () => {
    const sp = only(
      serviceProxyState(
        service(
          'web',
          {
            type: 'LoadBalancer',
            externalIPs: ['198.51.100.7', 'fd00::7'],
            ports: [{ name: 'http', port: 80, nodePort: 31000 }],
          },
          {
            loadBalancer: {
              ingress: [
                { ip: '203.0.113.1' },
                { ip: '203.0.113.2', ipMode: 'Proxy' } as never,
                { hostname: 'lb.example' },
              ],
            },
          },
        ),
        [],
        NODE,
      ),
    );
    assert.deepEqual(sp.externalIPs, ['198.51.100.7']);
    assert.deepEqual(sp.loadBalancerIPs, ['203.0.113.1']);
    assert.equal(sp.nodePort, 31000);
    const outside = only(
      serviceProxyState(
        service('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 80 }] }),
        [],
        NODE,
      ),
    );
    assert.equal(outside.nodePort, 0, 'a NodePort outside the range is ignored');
  });

  it('sessionAffinity ClientIP carries its timeout (default 10800 s)', () => {
    assert.equal(
      only(serviceProxyState(service('web', { sessionAffinity: 'ClientIP' }), [], NODE)).affinityTimeoutSeconds,
      10800,
    );
    const custom = service('web', {
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
    });
    assert.equal(only(serviceProxyState(custom, [], NODE)).affinityTimeoutSeconds, 60);
    assert.equal(only(serviceProxyState(service('web', {}), [], NODE)).affinityTimeoutSeconds, undefined);
  });
});

describe('serviceProxyState: health check node port', () => {
  const lb = (etp: 'Local' | 'Cluster', type = 'LoadBalancer') =>
    service('web', {
      type,
      externalTrafficPolicy: etp,
      healthCheckNodePort: 32000,
      ports: [{ name: 'http', port: 80, nodePort: 31000 }],
    });

  it('exists for LoadBalancer with eTP Local and counts distinct ready local endpoint IPs', () => {
    const st = serviceProxyState(
      lb('Local'),
      [
        slice('web', [
          { ip: '10.42.0.3' },
          { ip: '10.42.0.4', ready: false, serving: true, terminating: true },
          { ip: '10.42.1.3', node: 'node-b' },
        ]),
        slice('web', [{ ip: '10.42.0.3' }], [{ name: 'http', port: 8080, protocol: 'UDP' }], 'web-udp'),
      ],
      NODE,
    );
    assert.deepEqual(st!.healthCheck, { namespace: 'ns', name: 'web', port: 32000, localEndpoints: 1 });
  });

  it('does not exist for eTP Cluster or a NodePort service', () => {
    assert.equal(serviceProxyState(lb('Cluster'), [], NODE)!.healthCheck, undefined);
    assert.equal(serviceProxyState(lb('Local', 'NodePort'), [], NODE)!.healthCheck, undefined);
  });
});

describe('staleUdpEntries', () => {
  const udp = (eps: string[], nodePort = 0): ServicePortState =>
    only(
      serviceProxyState(
        service('dns', {
          type: nodePort ? 'NodePort' : 'ClusterIP',
          externalIPs: ['198.51.100.7'],
          ports: [{ name: 'dns', port: 53, protocol: 'UDP', ...(nodePort ? { nodePort } : {}) }],
        }),
        [
          slice(
            'dns',
            eps.map((ip) => ({ ip })),
            [{ name: 'dns', port: 5353, protocol: 'UDP' }],
          ),
        ],
        NODE,
      ),
    );

  it('flushes entries DNATed to a removed UDP endpoint, for every service address and the NodePort', () => {
    assert.deepEqual(staleUdpEntries(udp(['10.42.0.3', '10.42.0.4'], 30053), udp(['10.42.0.3'], 30053)), [
      { kind: 'endpoint', origDst: '10.43.0.10', endpoint: '10.42.0.4' },
      { kind: 'endpoint', origDst: '198.51.100.7', endpoint: '10.42.0.4' },
      { kind: 'nodeport-endpoint', nodePort: 30053, endpoint: '10.42.0.4' },
    ]);
  });

  it('flushes a UDP service that gets its first endpoint, and nothing for TCP or unchanged ports', () => {
    assert.deepEqual(staleUdpEntries(udp([]), udp(['10.42.0.3'])), [
      { kind: 'service', origDst: '10.43.0.10', port: 53 },
      { kind: 'service', origDst: '198.51.100.7', port: 53 },
    ]);
    assert.deepEqual(staleUdpEntries(udp(['10.42.0.3']), udp(['10.42.0.3'])), []);
    const tcp = only(serviceProxyState(service('web', {}), [slice('web', [{ ip: '10.42.0.3' }])], NODE));
    assert.deepEqual(staleUdpEntries(tcp, undefined), []);
  });
});
