// NetworkPolicy semantics on plain objects, on a table of cases modelled on upstream's conformance
// suite (test/e2e/network/netpol/network_policy.go): namespaces x, y, z with pods a, b, c each serving
// 80 and 81 over TCP and UDP with upstream's port names; every case states the full 9×9 reachability
// matrix, checked with `allows` on the computed verdicts. Then the rendered nft script for a few cases.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Namespace, NetworkPolicy, Pod } from '../../core/index.js';
import { allows, computePolicy, mergeRanges, type Protocol } from './compute.js';
import { policyScript } from './nft.js';

const NS = ['x', 'y', 'z'] as const;
const PODS = ['a', 'b', 'c'] as const;
type Name = `${(typeof NS)[number]}/${(typeof PODS)[number]}`;
const ALL: Name[] = NS.flatMap((n) => PODS.map((p) => `${n}/${p}` as Name));
const ip = (name: Name) => `10.42.${NS.indexOf(name[0] as 'x') + 1}.${PODS.indexOf(name[2] as 'a') + 10}`;

function pod(name: Name, extra: Partial<Pod['spec']> = {}): Pod {
  const [namespace, p] = name.split('/') as [string, string];
  return {
    metadata: { name: p, namespace, labels: { pod: p } },
    spec: {
      nodeName: namespace === 'x' ? 'node-1' : 'node-2',
      containers: [
        {
          name: 'c',
          ports: [80, 81].flatMap((port) => [
            { name: `serve-${port}-tcp`, containerPort: port, protocol: 'TCP' },
            { name: `serve-${port}-udp`, containerPort: port, protocol: 'UDP' },
          ]),
        },
      ],
      ...extra,
    },
    status: { podIP: ip(name), phase: 'Running' },
  } as Pod;
}
const pods = ALL.map((n) => pod(n));
const namespaces = NS.map((n) => ({ metadata: { name: n, labels: { ns: n } } }) as Namespace);

function policy(namespace: string, spec: NetworkPolicy['spec'], name = 'p'): NetworkPolicy {
  return { metadata: { name, namespace }, spec } as NetworkPolicy;
}

interface Case {
  name: string;
  policies: NetworkPolicy[];
  /** Which (from, to) pairs connect (pairs of a pod with itself always do). */
  expect: (from: Name, to: Name) => boolean;
  port?: number;
  protocol?: Protocol;
}

const inNs = (n: Name, ns: string) => n.startsWith(`${ns}/`);
const CASES: Case[] = [
  {
    name: 'no policy: everything connects',
    policies: [],
    expect: () => true,
  },
  {
    name: "default-deny-ingress: nothing reaches namespace x's pods",
    policies: [policy('x', { podSelector: {}, policyTypes: ['Ingress'] })],
    expect: (_f, t) => !inNs(t, 'x'),
  },
  {
    name: 'default-deny-all (ingress and egress) in x',
    policies: [policy('x', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    expect: (f, t) => !inNs(t, 'x') && !inNs(f, 'x'),
  },
  {
    name: 'allow-all ingress in x (empty from)',
    policies: [policy('x', { podSelector: {}, ingress: [{}] })],
    expect: () => true,
  },
  {
    name: 'podSelector: x/a only from x/b',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || f === 'x/b',
  },
  {
    name: 'podSelector with matchExpressions (pod In [b])',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || f === 'x/b',
  },
  {
    name: 'namespaceSelector: x/a only from namespace y',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || inNs(f, 'y'),
  },
  {
    name: 'namespaceSelector with matchExpressions (ns NotIn [x]) on the well-known name label',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['x'] }],
                },
              },
            ],
          },
        ],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || !inNs(f, 'x'),
  },
  {
    name: 'podSelector OR namespaceSelector (two peers)',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }],
          },
        ],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || inNs(f, 'y') || f === 'x/b',
  },
  {
    name: 'podSelector AND namespaceSelector (one peer): only y/b',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] },
        ],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || f === 'y/b',
  },
  {
    name: 'namespaceSelector {} with podSelector: pod b of every namespace',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || f.endsWith('/b'),
  },
  ...[80, 81].map(
    (port): Case => ({
      name: `ports: x/a only on 81 (probe on ${port})`,
      policies: [policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 81 }] }] })],
      expect: (_f, t) => t !== 'x/a' || port === 81,
      port,
    }),
  ),
  {
    name: 'additive: a port-81-only policy and an allow-all policy: all allowed on 80',
    policies: [
      policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 81 }] }] }, 'p1'),
      policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{}] }, 'p2'),
    ],
    expect: () => true,
  },
  {
    name: 'additive: two allow-from policies widen the set (b from one, c from the other)',
    policies: [
      policy('x', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] }, 'p1'),
      policy(
        'x',
        {
          podSelector: { matchLabels: { pod: 'a' } },
          ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }],
        },
        'p2',
      ),
    ],
    expect: (f, t) => !inNs(t, 'x') || f === 'x/b' || (t === 'x/a' && f === 'x/c'),
  },
  ...[80, 81].map(
    (port): Case => ({
      name: `named port serve-80-tcp (probe on ${port})`,
      policies: [
        policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] }),
      ],
      expect: (_f, t) => t !== 'x/a' || port === 80,
      port,
    }),
  ),
  {
    name: 'a named port that no container has matches nothing',
    policies: [
      policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-99-tcp' }] }] }),
    ],
    expect: (_f, t) => t !== 'x/a',
  },
  ...[80, 81, 82].map(
    (port): Case => ({
      name: `endPort: 80-81 (probe on ${port})`,
      policies: [
        policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 80, endPort: 81 }] }] }),
      ],
      expect: (_f, t) => t !== 'x/a' || port <= 81,
      port,
    }),
  ),
  ...(['TCP', 'UDP'] as Protocol[]).map(
    (protocol): Case => ({
      name: `a UDP-only policy does not let TCP through (probe ${protocol})`,
      policies: [
        policy('x', {
          podSelector: { matchLabels: { pod: 'a' } },
          ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }],
        }),
      ],
      expect: (_f, t) => t !== 'x/a' || protocol === 'UDP',
      port: 81,
      protocol,
    }),
  ),
  {
    name: 'SCTP with the protocol and no port: every SCTP port',
    policies: [
      policy('x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'SCTP' }] }] }),
    ],
    expect: () => true,
    protocol: 'SCTP',
    port: 5000,
  },
  {
    name: 'ipBlock with except: all of the pod network but x/b',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.42.0.0/16', except: [`${ip('x/b')}/32`] } }] }],
      }),
    ],
    expect: (f, t) => t !== 'x/a' || f !== 'x/b',
  },
  {
    name: 'egress to an ipBlock: x/a reaches only namespace y (10.42.2.0/24)',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.42.2.0/24' } }] }],
      }),
    ],
    expect: (f, t) => f !== 'x/a' || inNs(t, 'y'),
  },
  {
    name: 'egress with a named port resolves on the destination (UDP serve-81-udp to anything)',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }],
      }),
    ],
    expect: () => true,
    port: 81,
    protocol: 'UDP',
  },
  {
    name: 'egress named port: TCP 81 is not allowed by a UDP name',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'serve-81-udp', protocol: 'UDP' }] }],
      }),
    ],
    expect: (f) => f !== 'x/a',
    port: 81,
  },
  {
    name: 'egress rules default the policy to Ingress+Egress: x/a may only talk to z, nobody reaches x/a',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }],
      }),
    ],
    expect: (f, t) => t !== 'x/a' && (f !== 'x/a' || inNs(t, 'z')),
  },
  {
    name: 'policyTypes Egress only: its ingress rules are ignored, ingress stays open',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        policyTypes: ['Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      }),
    ],
    expect: (f) => f !== 'x/a',
  },
  {
    name: 'both directions across namespaces: x/a to y/b only, y/b from x/a only',
    policies: [
      policy('x', {
        podSelector: { matchLabels: { pod: 'a' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] },
        ],
      }),
      policy('y', {
        podSelector: { matchLabels: { pod: 'b' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchLabels: { pod: 'a' } } }] },
        ],
      }),
    ],
    expect: (f, t) => (f !== 'x/a' || t === 'y/b') && (t !== 'y/b' || f === 'x/a'),
  },
  {
    name: 'a policy in y does not select pods of x',
    policies: [policy('y', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Ingress'] })],
    expect: (_f, t) => t !== 'y/a',
  },
];

describe('NetworkPolicy verdicts (upstream conformance cases)', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const verdicts = computePolicy({ policies: c.policies, pods, namespaces });
      const wrong: string[] = [];
      for (const f of ALL) {
        for (const t of ALL) {
          const want = f === t || c.expect(f, t);
          const got = allows(verdicts, { src: ip(f), dst: ip(t), port: c.port ?? 80, protocol: c.protocol });
          if (want !== got) wrong.push(`${f} -> ${t}: want ${want}, got ${got}`);
        }
      }
      assert.deepEqual(wrong, []);
      // The script renders whatever the case (nft syntax is checked against the kernel in the packet test).
      assert.match(policyScript(verdicts), /chain forward/);
    });
  }

  it('only pods of the given node get verdicts; host-network and finished pods take no part', () => {
    const extra = [
      pod('x/a'),
      { ...pod('x/b', { hostNetwork: true }) },
      { ...pod('x/c'), status: { podIP: ip('x/c'), phase: 'Succeeded' } } as Pod,
      pod('y/a'),
    ];
    const v = computePolicy({
      policies: [
        policy('x', { podSelector: {}, policyTypes: ['Ingress'] }),
        policy('y', { podSelector: {}, policyTypes: ['Ingress'] }),
      ],
      pods: extra,
      namespaces,
      node: 'node-1',
    });
    assert.deepEqual(
      v.map((x) => x.pod),
      ['x/a'],
    );
    assert.deepEqual(v[0]!.ingress, []);
  });

  it('port ranges merge (nft sets refuse overlaps)', () => {
    assert.deepEqual(
      mergeRanges([
        { protocol: 'TCP', from: 80, to: 81 },
        { protocol: 'UDP', from: 53, to: 53 },
        { protocol: 'TCP', from: 81, to: 90 },
        { protocol: 'TCP', from: 91, to: 91 },
        { protocol: 'TCP', from: 443, to: 443 },
      ]),
      [
        { protocol: 'TCP', from: 80, to: 91 },
        { protocol: 'TCP', from: 443, to: 443 },
        { protocol: 'UDP', from: 53, to: 53 },
      ],
    );
  });

  it('renders per-pod chains behind verdict maps', () => {
    const v = computePolicy({
      policies: [
        policy('x', {
          podSelector: { matchLabels: { pod: 'a' } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { pod: 'b' } } }],
              ports: [
                { port: 80, endPort: 90 },
                { port: 53, protocol: 'UDP' },
              ],
            },
          ],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.42.3.0/24', '10.42.3.7/32'] } }] }],
        }),
      ],
      pods,
      namespaces,
      node: 'node-1',
    });
    const s = policyScript(v);
    assert.match(s, /elements = \{ 10\.42\.1\.10 : jump ingress-0 \}/);
    assert.match(s, /elements = \{ 10\.42\.1\.10 : jump egress-0 \}/);
    assert.match(s, /ip saddr \{ 10\.42\.1\.11 \} meta l4proto tcp th dport \{ 80-90 \} accept/);
    assert.match(s, /ip saddr \{ 10\.42\.1\.11 \} meta l4proto udp th dport \{ 53 \} accept/);
    assert.match(s, /ip daddr 10\.0\.0\.0\/8 ip daddr != \{ 10\.42\.3\.0\/24 \} return/);
    assert.match(s, /ip saddr 10\.42\.1\.10 accept/);
  });
});

const root = process.getuid?.() === 0 && spawnSync('which', ['nft']).status === 0;
describe(
  'every case renders a ruleset the kernel accepts (nft -c in a namespace of the test)',
  {
    skip: root ? undefined : 'needs root and nft',
  },
  () => {
    const ns = `tnc${process.pid % 100000}`;
    before(() => {
      spawnSync('ip', ['netns', 'del', ns]);
      assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    });
    after(() => {
      spawnSync('ip', ['netns', 'del', ns]);
    });
    for (const c of CASES) {
      it(c.name, () => {
        const script = policyScript(computePolicy({ policies: c.policies, pods, namespaces, node: 'node-1' }));
        const r = spawnSync('ip', ['netns', 'exec', ns, 'nft', '-c', '-f', '-'], { input: script, encoding: 'utf8' });
        assert.equal(r.status, 0, `${r.stderr}\n${script}`);
      });
    }
  },
);
