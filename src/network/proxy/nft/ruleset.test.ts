import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { serviceProxyState } from '../model/proxy-state.js';
import { NODE, service, slice } from '../model/testing.js';
import type { ServicePortState } from '../model/types.js';
import { baseFragment, type RulesetConfig } from './base.js';
import type { Fragment } from './fragment.js';
import { endpointBase, servicePortBase } from './names.js';
import { servicePortFragment } from './service.js';
import { deleteTableScript, fullSyncScript, RulesetTracker } from './tracker.js';

const CFG: RulesetConfig = { serviceCidr: '10.43.0.0/16', clusterCidr: '10.42.0.0/16', masqueradeMark: 0x4000 };

function port(
  svc: Parameters<typeof service>[1],
  eps: Parameters<typeof slice>[1],
  status?: Parameters<typeof service>[2],
) {
  const st = serviceProxyState(service('web', svc, status), [slice('web', eps)], NODE);
  return st!.ports[0]!;
}
const elements = (f: Fragment, set: string) =>
  f.elements.filter((e) => e.set === set).map((e) => (e.value === undefined ? e.key : `${e.key} : ${e.value}`));
const chain = (f: Fragment, name: string) => f.chains.find((c) => c.name === name)?.rules;
const TWO = [{ ip: '10.42.0.3' }, { ip: '10.42.1.3', node: 'node-b' }];

describe('servicePortFragment', () => {
  it('ClusterIP: one dispatch element into a shared pick chain, endpoints keyed by address, port and index', () => {
    const f = servicePortFragment(port({}, TWO), CFG);
    assert.deepEqual(elements(f, 'service-ips'), ['10.43.0.10 . tcp . 80 : goto pick-cluster-tcp-2']);
    assert.equal(f.elements.find((e) => e.set === 'service-ips')!.comment, '"ns/web:http"');
    assert.deepEqual(elements(f, 'cluster-endpoints-tcp'), [
      '10.43.0.10 . 80 . 0 : 10.42.0.3 . 8080',
      '10.43.0.10 . 80 . 1 : 10.42.1.3 . 8080',
    ]);
    assert.deepEqual(elements(f, 'cluster-ips'), ['10.43.0.10']);
    assert.deepEqual(elements(f, 'hairpin'), ['10.42.0.3 . 10.42.0.3'], 'the local endpoint only');
    assert.deepEqual(chain(f, 'pick-cluster-tcp-2'), [
      'meta l4proto tcp dnat ip to ip daddr . tcp dport . numgen random mod 2 map @cluster-endpoints-tcp',
    ]);
    assert.equal(f.chains.length, 1);
  });

  it('no endpoints: rejected through reject-chain; iTP Local without a local endpoint: dropped', () => {
    const none = servicePortFragment(port({}, []), CFG);
    assert.deepEqual(elements(none, 'service-ips'), []);
    assert.deepEqual(elements(none, 'no-endpoint-services'), ['10.43.0.10 . tcp . 80 : goto reject-chain']);
    assert.deepEqual(elements(none, 'cluster-ips'), ['10.43.0.10'], 'still owned: other ports are rejected too');
    const local = servicePortFragment(port({ internalTrafficPolicy: 'Local' }, [TWO[1]!]), CFG);
    assert.deepEqual(elements(local, 'no-endpoint-services'), ['10.43.0.10 . tcp . 80 : drop']);
  });

  it('iTP Local: ClusterIP picks from the local endpoint map', () => {
    const f = servicePortFragment(port({ internalTrafficPolicy: 'Local' }, TWO), CFG);
    assert.deepEqual(elements(f, 'service-ips'), ['10.43.0.10 . tcp . 80 : goto pick-local-tcp-1']);
    assert.deepEqual(elements(f, 'local-endpoints-tcp'), ['10.43.0.10 . 80 . 0 : 10.42.0.3 . 8080']);
  });

  it('NodePort and ExternalIP with eTP Cluster: masquerade, then any endpoint', () => {
    const sp = port(
      {
        type: 'NodePort',
        externalIPs: ['198.51.100.7'],
        ports: [{ name: 'http', port: 80, nodePort: 30080, protocol: 'UDP' }],
      },
      [],
    );
    const withEps: ServicePortState = {
      ...sp,
      clusterEndpoints: [{ ip: '10.42.0.3', port: 53 }],
      hasEndpoints: true,
      hasInternalEndpoints: true,
      hasExternalEndpoints: true,
      hairpinIPs: [],
    };
    const f = servicePortFragment(withEps, CFG);
    const base = servicePortBase(withEps.id);
    assert.deepEqual(elements(f, 'service-ips'), [
      '10.43.0.10 . udp . 80 : goto pick-cluster-udp-1',
      `198.51.100.7 . udp . 80 : goto external-${base}`,
    ]);
    assert.deepEqual(elements(f, 'service-nodeports'), [`udp . 30080 : goto nodeport-${base}`]);
    assert.deepEqual(chain(f, `external-${base}`), ['jump mark-for-masquerade', 'goto pick-cluster-udp-1']);
    assert.deepEqual(chain(f, `nodeport-${base}`), ['jump mark-for-masquerade', 'goto pick-nodeport-cluster-udp-1']);
    assert.deepEqual(elements(f, 'nodeport-cluster-endpoints-udp'), ['30080 . 0 : 10.42.0.3 . 53']);
    assert.deepEqual(elements(f, 'cluster-endpoints-udp'), [
      '10.43.0.10 . 80 . 0 : 10.42.0.3 . 53',
      '198.51.100.7 . 80 . 0 : 10.42.0.3 . 53',
    ]);
  });

  it('LoadBalancer with eTP Local: pods and the node short-circuit to any endpoint, others stay local and unmasqueraded', () => {
    const sp = port(
      { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] },
      TWO,
      { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } },
    );
    const f = servicePortFragment(sp, CFG);
    const base = servicePortBase(sp.id);
    assert.deepEqual(chain(f, `external-${base}`), [
      'ip saddr 10.42.0.0/16 goto pick-cluster-tcp-2',
      'fib saddr type local jump mark-for-masquerade',
      'fib saddr type local goto pick-cluster-tcp-2',
      'goto pick-local-tcp-1',
    ]);
    assert.deepEqual(chain(f, `nodeport-${base}`), [
      'ip saddr 10.42.0.0/16 goto pick-nodeport-cluster-tcp-2',
      'fib saddr type local jump mark-for-masquerade',
      'fib saddr type local goto pick-nodeport-cluster-tcp-2',
      'goto pick-nodeport-local-tcp-1',
    ]);
    assert.deepEqual(elements(f, 'local-endpoints-tcp'), ['203.0.113.1 . 80 . 0 : 10.42.0.3 . 8080']);
    assert.deepEqual(elements(f, 'no-endpoint-services'), []);
    // Only a remote endpoint: external traffic that was not short-circuited is dropped by the filter chains.
    const remote = servicePortFragment(
      port(
        { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] },
        [TWO[1]!],
        { loadBalancer: { ingress: [{ ip: '203.0.113.1' }] } },
      ),
      CFG,
    );
    assert.deepEqual(elements(remote, 'no-endpoint-services'), ['203.0.113.1 . tcp . 80 : drop']);
    assert.deepEqual(elements(remote, 'no-endpoint-nodeports'), ['tcp . 30081 : drop']);
    assert.equal(chain(remote, `external-${base}`)!.length, 3, 'no local target');
  });

  it('sessionAffinity ClientIP: per-endpoint chains and timed sets, as upstream', () => {
    const sp = port({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } }, TWO);
    const f = servicePortFragment(sp, CFG);
    const base = servicePortBase(sp.id);
    const [e0, e1] = sp.clusterEndpoints.map((ep) => endpointBase(sp.id, ep));
    assert.deepEqual(elements(f, 'service-ips'), [`10.43.0.10 . tcp . 80 : goto service-${base}`]);
    assert.deepEqual(chain(f, `service-${base}`), [
      `ip saddr @affinity-${e0}-600 goto endpoint-${e0}`,
      `ip saddr @affinity-${e1}-600 goto endpoint-${e1}`,
      `numgen random mod 2 vmap { 0 : goto endpoint-${e0}, 1 : goto endpoint-${e1} }`,
    ]);
    assert.deepEqual(chain(f, `endpoint-${e0}`), [
      `update @affinity-${e0}-600 { ip saddr }`,
      'meta l4proto tcp dnat to 10.42.0.3:8080',
    ]);
    assert.deepEqual(
      f.sets.map((s) => [s.name, s.spec, s.dynamic]),
      [
        [`affinity-${e0}-600`, 'type ipv4_addr ; flags dynamic,timeout ; timeout 600s ;', true],
        [`affinity-${e1}-600`, 'type ipv4_addr ; flags dynamic,timeout ; timeout 600s ;', true],
      ],
    );
    assert.deepEqual(elements(f, 'cluster-endpoints-tcp'), [], 'affinity services do not use the pick maps');
  });

  it('names chains with a hash and the readable service port, truncated to nft limits', () => {
    const id = { namespace: 'ns', name: 'web', port: 'http', protocol: 'tcp' as const };
    assert.match(servicePortBase(id), /^[0-9A-F]{8}-ns\/web\/tcp\/http$/);
    assert.notEqual(servicePortBase(id), servicePortBase({ ...id, port: 'https' }));
    const long = servicePortBase({ ...id, namespace: 'n'.repeat(63), name: 's'.repeat(63), port: 'p'.repeat(63) });
    assert.ok(long.length <= 240);
    assert.match(endpointBase(id, { ip: '10.42.0.3', port: 8080 }), /-ns\/web\/tcp\/http__10\.42\.0\.3\/8080$/);
  });
});

describe('RulesetTracker: incremental transactions', () => {
  const frag = (eps: Parameters<typeof slice>[1], spec: Parameters<typeof service>[1] = {}) =>
    servicePortFragment(port(spec, eps), CFG);
  const start = () => {
    const t = new RulesetTracker();
    t.update(new Map([['', baseFragment(CFG)]]));
    t.update(new Map([['ns/web:http', frag(TWO)]]));
    return t;
  };

  it('an unchanged service is an empty transaction', () => {
    assert.equal(start().update(new Map([['ns/web:http', frag(TWO)]])), '');
  });

  it('a new endpoint changes the dispatch element, adds one endpoint element and a pick chain', () => {
    const t = start();
    const script = t.update(new Map([['ns/web:http', frag([...TWO, { ip: '10.42.2.3', node: 'node-c' }])]]));
    assert.equal(
      script,
      [
        'add chain ip tutti-proxy pick-cluster-tcp-3',
        'add rule ip tutti-proxy pick-cluster-tcp-3 meta l4proto tcp dnat ip to ip daddr . tcp dport . numgen random mod 3 map @cluster-endpoints-tcp',
        'delete element ip tutti-proxy service-ips { 10.43.0.10 . tcp . 80 }',
        'add element ip tutti-proxy cluster-endpoints-tcp { 10.43.0.10 . 80 . 2 : 10.42.2.3 . 8080 }',
        'add element ip tutti-proxy service-ips { 10.43.0.10 . tcp . 80 comment "ns/web:http" : goto pick-cluster-tcp-3 }',
        'flush chain ip tutti-proxy pick-cluster-tcp-2',
        'delete chain ip tutti-proxy pick-cluster-tcp-2',
        '',
      ].join('\n'),
    );
  });

  it('a pick chain shared with another service stays; deleting the last user removes everything', () => {
    const t = start();
    const other = servicePortFragment(
      serviceProxyState(service('api', { clusterIP: '10.43.0.11' }), [slice('api', TWO)], NODE)!.ports[0]!,
      CFG,
    );
    t.update(new Map([['ns/api:http', other]]));
    const delWeb = t.update(new Map([['ns/web:http', undefined]]));
    assert.doesNotMatch(delWeb, /pick-cluster-tcp-2/, 'api still uses it');
    assert.match(delWeb, /delete element ip tutti-proxy service-ips \{ 10\.43\.0\.10 \. tcp \. 80 \}/);
    assert.match(delWeb, /delete element ip tutti-proxy cluster-ips \{ 10\.43\.0\.10 \}/);
    assert.doesNotMatch(delWeb, /hairpin/, 'the shared hairpin pair stays for api');
    const delApi = t.update(new Map([['ns/api:http', undefined]]));
    assert.match(delApi, /delete element ip tutti-proxy hairpin \{ 10\.42\.0\.3 \. 10\.42\.0\.3 \}/);
    assert.match(
      delApi,
      /flush chain ip tutti-proxy pick-cluster-tcp-2\ndelete chain ip tutti-proxy pick-cluster-tcp-2\n$/,
    );
  });

  it('losing all endpoints moves the ClusterIP from dispatch to reject', () => {
    const script = start().update(new Map([['ns/web:http', frag([])]]));
    assert.match(script, /delete element ip tutti-proxy service-ips \{ 10\.43\.0\.10 \. tcp \. 80 \}/);
    assert.match(
      script,
      /add element ip tutti-proxy no-endpoint-services \{ 10\.43\.0\.10 \. tcp \. 80 comment "ns\/web:http" : goto reject-chain \}/,
    );
    assert.match(
      script,
      /delete element ip tutti-proxy cluster-endpoints-tcp \{ 10\.43\.0\.10 \. 80 \. 0, 10\.43\.0\.10 \. 80 \. 1 \}/,
    );
  });

  it('switching to affinity adds sets and chains before the elements that use them and deletes nothing shared', () => {
    const t = start();
    const script = t.update(new Map([['ns/web:http', frag(TWO, { sessionAffinity: 'ClientIP' })]])).split('\n');
    const firstElementAdd = script.findIndex((l) => l.startsWith('add element'));
    assert.ok(script.findIndex((l) => l.startsWith('add set')) < firstElementAdd);
    assert.ok(script.findLastIndex((l) => l.startsWith('add chain')) < firstElementAdd);
    assert.ok(script.includes('delete chain ip tutti-proxy pick-cluster-tcp-2'));
    const back = t.update(new Map([['ns/web:http', frag(TWO)]])).split('\n');
    const setDeletes = back.filter((l) => l.startsWith('delete set'));
    assert.equal(setDeletes.length, 2);
    assert.ok(
      back.indexOf(setDeletes[0]!) > back.findLastIndex((l) => l.startsWith('delete chain')),
      'sets after chains',
    );
  });
});

describe('fullSyncScript', () => {
  const tracker = () => {
    const f = servicePortFragment(port({}, TWO), CFG);
    return RulesetTracker.of(
      new Map([
        ['', baseFragment(CFG)],
        ['ns/web:http', f],
      ]),
    );
  };

  it('rebuilds the table in one transaction when it does not know the kernel state', () => {
    const script = fullSyncScript(tracker().ruleset()).split('\n');
    assert.deepEqual(script.slice(0, 3), [
      'add table ip tutti-proxy { comment "rules of the tutti service proxy" ; }',
      'delete table ip tutti-proxy',
      'add table ip tutti-proxy { comment "rules of the tutti service proxy" ; }',
    ]);
    assert.ok(
      script.includes(
        'add chain ip tutti-proxy nat-prerouting { type nat hook prerouting priority -100 ; policy accept ; }',
      ),
    );
    assert.ok(
      script.includes(
        'add rule ip tutti-proxy cluster-ips-check ip daddr 10.43.0.0/16 reject comment "no Service owns this address"',
      ),
    );
    assert.ok(
      script.every((l) => l === '' || / ip tutti-proxy( |$)/.test(l)),
      'every command names our table',
    );
  });

  it('refreshes in place: flushes rules and maps, deletes leftovers, keeps affinity sets', () => {
    const script = fullSyncScript(tracker().ruleset(), {
      chains: ['services', 'pick-cluster-tcp-7'],
      sets: ['affinity-OLD-10800'],
      maps: ['service-ips'],
    }).split('\n');
    assert.equal(script[1], 'flush table ip tutti-proxy');
    assert.ok(script.includes('flush map ip tutti-proxy service-ips'));
    assert.ok(script.includes('delete chain ip tutti-proxy pick-cluster-tcp-7'));
    assert.ok(script.includes('delete set ip tutti-proxy affinity-OLD-10800'));
    assert.ok(!script.includes('delete table ip tutti-proxy'));
    assert.ok(
      script.indexOf('flush map ip tutti-proxy service-ips') <
        script.indexOf('delete chain ip tutti-proxy pick-cluster-tcp-7'),
    );
  });

  it('deleting the table never names another', () => {
    assert.equal(deleteTableScript(), 'add table ip tutti-proxy\ndelete table ip tutti-proxy\n');
  });
});

// nft 1.0.6 accepts every construct (check mode, in a namespace of our own: nothing is applied anywhere).
const nftCheck = process.getuid?.() === 0 && spawnSync('which', ['nft']).status === 0;
describe('the rule set against nft (check mode)', { skip: nftCheck ? false : 'needs root and nft' }, () => {
  it('accepts a full sync and the incremental transactions after it', () => {
    const ns = `tpc${process.pid}`;
    spawnSync('ip', ['netns', 'add', ns]);
    try {
      const run = (script: string, check: boolean) => {
        const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', ...(check ? ['-c'] : []), '-f', '-'], {
          input: script,
          encoding: 'utf8',
        });
        assert.equal(r.status, 0, `${r.stderr}\n${script}`);
      };
      const all = new Map<string, Fragment>([['', baseFragment(CFG)]]);
      const states = [
        serviceProxyState(service('web', {}), [slice('web', TWO)], NODE),
        serviceProxyState(
          service('dns', {
            clusterIP: '10.43.0.11',
            ports: [
              { name: 'dns', port: 53, protocol: 'UDP' },
              { name: 'sig', port: 99, protocol: 'SCTP' },
            ],
          }),
          [
            slice('dns', TWO, [
              { name: 'dns', port: 5353, protocol: 'UDP' },
              { name: 'sig', port: 99, protocol: 'SCTP' },
            ]),
          ],
          NODE,
        ),
        serviceProxyState(
          service('lb', {
            clusterIP: '10.43.0.12',
            type: 'LoadBalancer',
            externalTrafficPolicy: 'Local',
            externalIPs: ['198.51.100.7'],
            ports: [{ name: 'http', port: 80, nodePort: 30081 }],
          }),
          [slice('lb', TWO)],
          NODE,
        ),
        serviceProxyState(
          service('sticky', {
            clusterIP: '10.43.0.13',
            sessionAffinity: 'ClientIP',
            type: 'NodePort',
            ports: [{ name: 'http', port: 80, nodePort: 30082 }],
          }),
          [slice('sticky', TWO)],
          NODE,
        ),
        serviceProxyState(
          service('none', {
            clusterIP: '10.43.0.14',
            type: 'NodePort',
            ports: [{ name: 'http', port: 80, nodePort: 30083 }],
          }),
          [],
          NODE,
        ),
      ];
      for (const st of states) for (const p of st!.ports) all.set(p.key, servicePortFragment(p, CFG));
      const t = RulesetTracker.of(all);
      const full = fullSyncScript(t.ruleset());
      run(full, true);
      run(full, false);
      const changed = serviceProxyState(service('web', {}), [slice('web', [...TWO, { ip: '10.42.0.9' }])], NODE)!;
      const inc = t.update(
        new Map([
          ['ns/web:http', servicePortFragment(changed.ports[0]!, CFG)],
          ['ns/sticky:http', undefined],
          [
            'ns/none:http',
            servicePortFragment(
              serviceProxyState(
                service('none', { clusterIP: '10.43.0.14', sessionAffinity: 'ClientIP' }),
                [slice('none', TWO)],
                NODE,
              )!.ports[0]!,
              CFG,
            ),
          ],
        ]),
      );
      run(inc, true);
      run(inc, false);
      const refresh = fullSyncScript(t.ruleset(), {
        chains: [],
        sets: [],
        maps: ['service-ips', 'cluster-endpoints-tcp'],
      });
      run(refresh, true);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
