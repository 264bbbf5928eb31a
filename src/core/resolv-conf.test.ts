import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from './types.js';
import { formatResolvConf, mergeOptions, parseResolvConf, podDnsConfig } from './resolv-conf.js';

const HOST = `# generated
nameserver 192.0.2.53
nameserver 192.0.2.54
search corp.example. lab.example
options ndots:1 timeout:2
`;

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, ns = 'shop'): Pod {
  return { metadata: { name: 'p', namespace: ns }, spec: { containers: [], ...spec } };
}

const inputs = { clusterDns: ['10.43.0.10'], clusterDomain: 'cluster.local', hostResolvConf: HOST };

describe('parseResolvConf', () => {
  it('accumulates nameservers; the last search and options lines win; trailing dots go', () => {
    assert.deepEqual(parseResolvConf(`${HOST}search other.example\n`), {
      servers: ['192.0.2.53', '192.0.2.54'],
      searches: ['other.example'],
      options: ['ndots:1', 'timeout:2'],
    });
    assert.deepEqual(parseResolvConf(HOST).searches, ['corp.example', 'lab.example']);
  });
});

describe('podDnsConfig', () => {
  it('ClusterFirst: the cluster DNS, the cluster search path before the host one, ndots:5', () => {
    const { config, warnings } = podDnsConfig(pod(), inputs);
    assert.deepEqual(config, {
      servers: ['10.43.0.10'],
      searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'],
      options: ['ndots:5'],
    });
    assert.deepEqual(warnings, []);
    assert.equal(
      formatResolvConf(config),
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\nnameserver 10.43.0.10\noptions ndots:5\n',
    );
  });

  it('ClusterFirst is the default, and a host-network pod with it gets the host resolvers', () => {
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: undefined }), inputs).config.servers, ['10.43.0.10']);
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'ClusterFirst', hostNetwork: true }), inputs).config, {
      servers: ['192.0.2.53', '192.0.2.54'],
      searches: ['corp.example', 'lab.example'],
      options: ['ndots:1', 'timeout:2'],
    });
  });

  it('ClusterFirstWithHostNet uses the cluster DNS even on the host network', () => {
    const { config } = podDnsConfig(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), inputs);
    assert.deepEqual(config.servers, ['10.43.0.10']);
  });

  it('Default copies the node', () => {
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), inputs).config, parseResolvConf(HOST));
  });

  it('Default without a node resolv.conf points at the local machine', () => {
    const { config } = podDnsConfig(pod({ dnsPolicy: 'Default' }), { ...inputs, hostResolvConf: undefined });
    assert.deepEqual(config, { servers: ['127.0.0.1'], searches: ['.'], options: [] });
    const v6 = podDnsConfig(pod({ dnsPolicy: 'Default' }), {
      ...inputs,
      hostResolvConf: undefined,
      nodeIPs: ['fd00::1'],
    });
    assert.deepEqual(v6.config.servers, ['::1']);
  });

  it('ClusterFirst without a cluster DNS falls back to Default with a warning', () => {
    const { config, warnings } = podDnsConfig(pod(), { ...inputs, clusterDns: [] });
    assert.deepEqual(config.servers, ['192.0.2.53', '192.0.2.54']);
    assert.equal(warnings[0]?.reason, 'MissingClusterDNS');
  });

  it('None uses dnsConfig alone', () => {
    const { config } = podDnsConfig(
      pod({
        dnsPolicy: 'None',
        dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }] },
      }),
      inputs,
    );
    assert.deepEqual(config, { servers: ['1.1.1.1'], searches: ['a.example'], options: ['ndots:2'] });
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'None' }), inputs).config, {
      servers: [],
      searches: [],
      options: [],
    });
  });

  it('merges dnsConfig: duplicates dropped, options overridden by name', () => {
    const { config } = podDnsConfig(
      pod({
        dnsConfig: {
          nameservers: ['10.43.0.10', '192.0.2.99'],
          searches: ['cluster.local', 'extra.example'],
          options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
        },
      }),
      inputs,
    );
    assert.deepEqual(config.servers, ['10.43.0.10', '192.0.2.99']);
    assert.deepEqual(config.searches.slice(-1), ['extra.example']);
    assert.equal(config.searches.filter((s) => s === 'cluster.local').length, 1);
    assert.deepEqual(config.options, ['ndots:2', 'edns0']);
    assert.deepEqual(mergeOptions(['ndots:5', 'rotate'], [{ name: 'rotate', value: '' }]), ['ndots:5', 'rotate']);
  });

  it('keeps at most 3 nameservers', () => {
    const { config, warnings } = podDnsConfig(
      pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.0.0.1', '1.0.0.2', '1.0.0.3', '1.0.0.4'] } }),
      inputs,
    );
    assert.deepEqual(config.servers, ['1.0.0.1', '1.0.0.2', '1.0.0.3']);
    assert.match(warnings[0]!.message, /Nameserver limits were exceeded/);
  });

  it('keeps at most 32 search domains, none over 253 characters, at most 2048 characters in all', () => {
    const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
    const r = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: many } }), inputs);
    assert.equal(r.config.searches.length, 32);
    assert.match(r.warnings[0]!.message, /Search Line limits were exceeded/);
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.example`;
    const r2 = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: [long, 'ok.example'] } }), inputs);
    assert.deepEqual(r2.config.searches, ['ok.example']);
    const wide = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(98)}.example`);
    const r3 = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { searches: wide } }), inputs);
    assert.ok(r3.config.searches.join(' ').length <= 2048);
    assert.equal(r3.config.searches.length, 18); // 18 × 108 characters + 17 spaces
  });
});
