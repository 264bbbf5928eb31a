import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Answer } from 'dns-packet';
import { RecordStore } from './store.js';
import {
  clusterIpService,
  endpointSlice,
  externalNameService,
  headlessService,
  namespace,
  pod,
} from './testing/fixtures.js';
import { ClusterZone, type ZoneAnswer } from './zone.js';

function data(answers: Answer[]): unknown[] {
  return answers.map((a) => ('data' in a ? a.data : undefined));
}

function nodata(r: ZoneAnswer | undefined): void {
  assert.ok(r);
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, []);
  assert.equal(r.authorities[0]?.type, 'SOA');
}

function nxdomain(r: ZoneAnswer | undefined): void {
  assert.ok(r);
  assert.equal(r.rcode, 'NXDOMAIN');
  assert.deepEqual(r.answers, []);
  assert.equal(r.authorities[0]?.type, 'SOA');
}

describe('ClusterZone', () => {
  let store: RecordStore;
  let zone: ClusterZone;
  beforeEach(() => {
    store = new RecordStore(() => 1_700_000_000_000);
    zone = new ClusterZone(store, { nameservers: ['10.43.0.10'] });
    zone.synced = true;
    store.setNamespace(namespace('default'));
    store.setNamespace(namespace('kube-system'));
    store.setService(
      clusterIpService('default', 'web', '10.43.0.20', [
        { name: 'http', port: 80 },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ]),
    );
    store.setService(headlessService('default', 'db', [{ name: 'pg', port: 5432 }]));
    store.setEndpointSlice(
      endpointSlice(
        'default',
        'db',
        'db-abc',
        [
          { ip: '10.42.0.5', hostname: 'pet-0', ready: true },
          { ip: '10.42.0.6', ready: true, pod: 'db-1' },
          { ip: '10.42.0.7', ready: false },
          { ip: '10.42.1.8' },
        ],
        [{ name: 'pg', port: 5432 }],
      ),
    );
    store.setPod(pod('default', 'db-1', '10.42.0.6', { hostname: 'pet-1', subdomain: 'db' }));
    store.setService(externalNameService('default', 'ext', 'www.example.com'));
  });

  describe('services with a ClusterIP', () => {
    it('answers A with the ClusterIP, TTL 5, case-insensitively, keeping the question case', () => {
      const r = zone.lookup('Web.Default.SVC.cluster.local.', 'A');
      assert.ok(r);
      assert.equal(r.rcode, 'NOERROR');
      assert.deepEqual(r.answers, [
        { type: 'A', name: 'Web.Default.SVC.cluster.local.', ttl: 5, class: 'IN', data: '10.43.0.20' },
      ]);
    });

    it('is NODATA for AAAA of an IPv4-only service', () =>
      nodata(zone.lookup('web.default.svc.cluster.local', 'AAAA')));

    it('answers both families of a dual-stack service', () => {
      store.setService(clusterIpService('default', 'dual', ['10.43.0.30', 'fd00::30'], [{ name: 'http', port: 80 }]));
      assert.deepEqual(data(zone.lookup('dual.default.svc.cluster.local', 'A')!.answers), ['10.43.0.30']);
      assert.deepEqual(data(zone.lookup('dual.default.svc.cluster.local', 'AAAA')!.answers), ['fd00::30']);
    });

    it('answers SRV for a named port with the service A record in additional', () => {
      const r = zone.lookup('_http._tcp.web.default.svc.cluster.local', 'SRV');
      assert.ok(r);
      assert.deepEqual(data(r.answers), [
        { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' },
      ]);
      assert.deepEqual(r.additionals, [
        { type: 'A', name: 'web.default.svc.cluster.local', ttl: 5, class: 'IN', data: '10.43.0.20' },
      ]);
      assert.deepEqual(data(zone.lookup('_dns._udp.web.default.svc.cluster.local', 'SRV')!.answers), [
        { priority: 0, weight: 100, port: 53, target: 'web.default.svc.cluster.local' },
      ]);
    });

    it('answers SRV on the service name with every port, sharing the weight', () => {
      const r = zone.lookup('web.default.svc.cluster.local', 'SRV');
      assert.deepEqual(
        data(r!.answers).map((d) => (d as { port: number; weight: number }).port),
        [80, 53],
      );
      assert.equal((data(r!.answers)[0] as { weight: number }).weight, 50);
    });

    it('is NXDOMAIN for a port or protocol the service does not have', () => {
      nxdomain(zone.lookup('_https._tcp.web.default.svc.cluster.local', 'SRV'));
      nxdomain(zone.lookup('_http._udp.web.default.svc.cluster.local', 'SRV'));
      nxdomain(zone.lookup('_http._udp.web.default.svc.cluster.local', 'A'));
    });

    it('answers a service without ports', () => {
      store.setService(clusterIpService('default', 'bare', '10.43.0.40'));
      assert.deepEqual(data(zone.lookup('bare.default.svc.cluster.local', 'A')!.answers), ['10.43.0.40']);
      nodata(zone.lookup('bare.default.svc.cluster.local', 'SRV'));
    });
  });

  describe('headless services', () => {
    it('answers one A per ready endpoint', () => {
      const r = zone.lookup('db.default.svc.cluster.local', 'A');
      assert.deepEqual(data(r!.answers), ['10.42.0.5', '10.42.0.6', '10.42.1.8']);
    });

    it('includes not-ready endpoints when the service publishes them', () => {
      store.setService(headlessService('default', 'db', [{ name: 'pg', port: 5432 }], true));
      assert.deepEqual(data(zone.lookup('db.default.svc.cluster.local', 'A')!.answers), [
        '10.42.0.5',
        '10.42.0.6',
        '10.42.0.7',
        '10.42.1.8',
      ]);
    });

    it('is NXDOMAIN without ready endpoints (the specification)', () => {
      store.setService(headlessService('default', 'empty', [{ name: 'pg', port: 5432 }]));
      nxdomain(zone.lookup('empty.default.svc.cluster.local', 'A'));
      store.setEndpointSlice(endpointSlice('default', 'empty', 'empty-1', [{ ip: '10.42.0.9', ready: false }]));
      nxdomain(zone.lookup('empty.default.svc.cluster.local', 'A'));
    });

    it('answers endpoint names: the slice hostname, the pod hostname/subdomain, the dashed address', () => {
      assert.deepEqual(data(zone.lookup('pet-0.db.default.svc.cluster.local', 'A')!.answers), ['10.42.0.5']);
      assert.deepEqual(data(zone.lookup('pet-1.db.default.svc.cluster.local', 'A')!.answers), ['10.42.0.6']);
      assert.deepEqual(data(zone.lookup('10-42-1-8.db.default.svc.cluster.local', 'A')!.answers), ['10.42.1.8']);
      nxdomain(zone.lookup('pet-9.db.default.svc.cluster.local', 'A'));
      // An endpoint that is not ready has no name either.
      nxdomain(zone.lookup('10-42-0-7.db.default.svc.cluster.local', 'A'));
    });

    it('answers endpoint names of a ClusterIP service too (CoreDNS)', () => {
      store.setEndpointSlice(
        endpointSlice('default', 'web', 'web-1', [{ ip: '10.42.2.2' }], [{ name: 'http', port: 8080 }]),
      );
      assert.deepEqual(data(zone.lookup('10-42-2-2.web.default.svc.cluster.local', 'A')!.answers), ['10.42.2.2']);
    });

    it('answers SRV per ready endpoint and port, targets by hostname, addresses in additional', () => {
      const r = zone.lookup('_pg._tcp.db.default.svc.cluster.local', 'SRV');
      assert.deepEqual(data(r!.answers), [
        { priority: 0, weight: 33, port: 5432, target: 'pet-0.db.default.svc.cluster.local' },
        { priority: 0, weight: 33, port: 5432, target: 'pet-1.db.default.svc.cluster.local' },
        { priority: 0, weight: 33, port: 5432, target: '10-42-1-8.db.default.svc.cluster.local' },
      ]);
      assert.deepEqual(
        r!.additionals.map((a) => [a.name, 'data' in a ? a.data : undefined]),
        [
          ['pet-0.db.default.svc.cluster.local', '10.42.0.5'],
          ['pet-1.db.default.svc.cluster.local', '10.42.0.6'],
          ['10-42-1-8.db.default.svc.cluster.local', '10.42.1.8'],
        ],
      );
    });

    it('gathers endpoints over several slices and drops them when a slice goes', () => {
      const extra = endpointSlice('default', 'db', 'db-def', [{ ip: '10.42.3.3' }], [{ name: 'pg', port: 5432 }]);
      store.setEndpointSlice(extra);
      assert.equal(zone.lookup('db.default.svc.cluster.local', 'A')!.answers.length, 4);
      store.deleteEndpointSlice(extra);
      assert.equal(zone.lookup('db.default.svc.cluster.local', 'A')!.answers.length, 3);
    });
  });

  describe('ExternalName services', () => {
    it('answers A with the CNAME and asks for its target to be resolved upstream', () => {
      const r = zone.lookup('ext.default.svc.cluster.local', 'A');
      assert.ok(r);
      assert.equal(r.rcode, 'NOERROR');
      assert.deepEqual(r.answers, []);
      assert.deepEqual(r.chase, {
        cname: { type: 'CNAME', name: 'ext.default.svc.cluster.local', ttl: 5, class: 'IN', data: 'www.example.com' },
        target: 'www.example.com',
        type: 'A',
      });
    });

    it('answers a CNAME question with the CNAME', () => {
      assert.deepEqual(data(zone.lookup('ext.default.svc.cluster.local', 'CNAME')!.answers), ['www.example.com']);
      nodata(zone.lookup('web.default.svc.cluster.local', 'CNAME'));
    });

    it('follows a CNAME into the zone', () => {
      store.setService(externalNameService('default', 'alias', 'web.default.svc.cluster.local'));
      const r = zone.lookup('alias.default.svc.cluster.local', 'A');
      assert.deepEqual(
        r!.answers.map((a) => [a.type, 'data' in a ? a.data : undefined]),
        [
          ['CNAME', 'web.default.svc.cluster.local'],
          ['A', '10.43.0.20'],
        ],
      );
      assert.equal(r!.chase, undefined);
    });

    it('has no SRV and no names below it', () => {
      nodata(zone.lookup('ext.default.svc.cluster.local', 'SRV'));
      nxdomain(zone.lookup('www.ext.default.svc.cluster.local', 'A'));
      nxdomain(zone.lookup('_http._tcp.ext.default.svc.cluster.local', 'SRV'));
    });

    it('is NXDOMAIN when the external name is an address', () => {
      store.setService(externalNameService('default', 'ipext', '192.0.2.1'));
      nxdomain(zone.lookup('ipext.default.svc.cluster.local', 'A'));
    });
  });

  describe('PTR', () => {
    it('answers for a ClusterIP and for ready endpoint addresses', () => {
      assert.deepEqual(data(zone.lookup('20.0.43.10.in-addr.arpa', 'PTR')!.answers), ['web.default.svc.cluster.local']);
      assert.deepEqual(data(zone.lookup('5.0.42.10.in-addr.arpa', 'PTR')!.answers), [
        'pet-0.db.default.svc.cluster.local',
      ]);
      assert.deepEqual(data(zone.lookup('8.1.42.10.in-addr.arpa', 'PTR')!.answers), [
        '10-42-1-8.db.default.svc.cluster.local',
      ]);
      assert.equal((zone.lookup('20.0.43.10.in-addr.arpa', 'PTR')!.answers[0] as { ttl: number }).ttl, 5);
    });

    it('answers IPv6 addresses', () => {
      store.setService(clusterIpService('default', 'six', 'fd00::30', [{ name: 'http', port: 80 }]));
      const name = `0.3.0.0.${'0.'.repeat(24)}0.0.d.f.ip6.arpa`;
      assert.deepEqual(data(zone.lookup(name, 'PTR')!.answers), ['six.default.svc.cluster.local']);
    });

    it('leaves unknown addresses, not-ready endpoints and other types to the upstream resolvers', () => {
      assert.equal(zone.lookup('1.2.0.192.in-addr.arpa', 'PTR'), undefined);
      assert.equal(zone.lookup('7.0.42.10.in-addr.arpa', 'PTR'), undefined);
      assert.equal(zone.lookup('20.0.43.10.in-addr.arpa', 'A'), undefined);
    });

    it('is NODATA for PTR on a forward name that exists', () => {
      nodata(zone.lookup('web.default.svc.cluster.local', 'PTR'));
      nxdomain(zone.lookup('nope.default.svc.cluster.local', 'PTR'));
    });
  });

  describe('pod records (pods insecure)', () => {
    it('answers the address in the name', () => {
      assert.deepEqual(data(zone.lookup('10-42-0-99.default.pod.cluster.local', 'A')!.answers), ['10.42.0.99']);
      nodata(zone.lookup('10-42-0-99.default.pod.cluster.local', 'AAAA'));
      assert.deepEqual(data(zone.lookup('fd00--9.default.pod.cluster.local', 'AAAA')!.answers), ['fd00::9']);
    });

    it('is NXDOMAIN for a non-address or a missing namespace, NODATA for the namespace itself', () => {
      nxdomain(zone.lookup('web.default.pod.cluster.local', 'A'));
      nxdomain(zone.lookup('10-42-0-99.nope.pod.cluster.local', 'A'));
      nodata(zone.lookup('default.pod.cluster.local', 'A'));
    });

    it('checks the pod exists in verified mode and answers nothing when disabled', () => {
      const verified = new ClusterZone(store, { pods: 'verified' });
      verified.synced = true;
      assert.deepEqual(data(verified.lookup('10-42-0-6.default.pod.cluster.local', 'A')!.answers), ['10.42.0.6']);
      nxdomain(verified.lookup('10-42-0-99.default.pod.cluster.local', 'A'));
      const disabled = new ClusterZone(store, { pods: 'disabled' });
      disabled.synced = true;
      nxdomain(disabled.lookup('10-42-0-6.default.pod.cluster.local', 'A'));
    });
  });

  describe('NXDOMAIN and NODATA', () => {
    it('is NXDOMAIN for missing services and namespaces and for names outside the grammar', () => {
      nxdomain(zone.lookup('nope.default.svc.cluster.local', 'A'));
      nxdomain(zone.lookup('web.nope.svc.cluster.local', 'A'));
      nxdomain(zone.lookup('nope.svc.cluster.local', 'A'));
      nxdomain(zone.lookup('foo.cluster.local', 'A'));
      nxdomain(zone.lookup('a.b.c.web.default.svc.cluster.local', 'A'));
      // What a pod's search path makes of an outside name.
      nxdomain(zone.lookup('example.com.default.svc.cluster.local', 'A'));
    });

    it('is NODATA for the apex, svc, pod and an existing namespace', () => {
      nodata(zone.lookup('cluster.local', 'A'));
      nodata(zone.lookup('svc.cluster.local', 'A'));
      nodata(zone.lookup('pod.cluster.local', 'A'));
      nodata(zone.lookup('default.svc.cluster.local', 'A'));
    });

    it('tells them apart for other types with an A lookup', () => {
      nodata(zone.lookup('web.default.svc.cluster.local', 'MX'));
      nxdomain(zone.lookup('nope.default.svc.cluster.local', 'MX'));
      nodata(zone.lookup('web.default.svc.cluster.local', 'CAA'));
      nxdomain(zone.lookup('nope.default.svc.cluster.local', 'CAA'));
      nodata(zone.lookup('web.default.svc.cluster.local', 'NS'));
      // SOA below the apex is always NODATA in CoreDNS.
      nodata(zone.lookup('nope.default.svc.cluster.local', 'SOA'));
    });

    it('carries the zone SOA with the TTL as negative TTL and the last change as serial', () => {
      const r = zone.lookup('nope.default.svc.cluster.local', 'A')!;
      assert.deepEqual(r.authorities, [
        {
          type: 'SOA',
          name: 'cluster.local',
          ttl: 5,
          class: 'IN',
          data: {
            mname: 'ns.dns.cluster.local',
            rname: 'hostmaster.cluster.local',
            serial: 1_700_000_000,
            refresh: 7200,
            retry: 1800,
            expire: 86400,
            minimum: 5,
          },
        },
      ]);
    });

    it('is SERVFAIL instead of NXDOMAIN until the informers have synced', () => {
      zone.synced = false;
      const r = zone.lookup('nope.default.svc.cluster.local', 'A')!;
      assert.equal(r.rcode, 'SERVFAIL');
      assert.equal(zone.lookup('web.default.svc.cluster.local', 'A')!.rcode, 'NOERROR');
    });
  });

  describe('zone apex and extras', () => {
    it('answers SOA and NS at the apex', () => {
      assert.equal(zone.lookup('cluster.local', 'SOA')!.answers[0]!.type, 'SOA');
      const ns = zone.lookup('cluster.local', 'NS')!;
      assert.deepEqual(data(ns.answers), ['ns.dns.cluster.local']);
      assert.deepEqual(ns.additionals, [
        { type: 'A', name: 'ns.dns.cluster.local', ttl: 5, class: 'IN', data: '10.43.0.10' },
      ]);
      assert.deepEqual(data(zone.lookup('ns.dns.cluster.local', 'A')!.answers), ['10.43.0.10']);
    });

    it('answers dns-version TXT, and NODATA for other TXT questions', () => {
      const r = zone.lookup('dns-version.cluster.local', 'TXT')!;
      assert.deepEqual(r.answers, [
        { type: 'TXT', name: 'dns-version.cluster.local', ttl: 28800, class: 'IN', data: '1.1.0' },
      ]);
      nodata(zone.lookup('web.default.svc.cluster.local', 'TXT'));
      nodata(zone.lookup('nope.default.svc.cluster.local', 'TXT'));
    });

    it('refuses zone transfers', () => {
      assert.equal(zone.lookup('cluster.local', 'AXFR')!.rcode, 'REFUSED');
    });

    it('leaves names outside the zone alone', () => {
      assert.equal(zone.lookup('example.com', 'A'), undefined);
      assert.equal(zone.lookup('notcluster.local', 'A'), undefined);
    });

    it('serves another zone when configured', () => {
      const other = new ClusterZone(store, { zone: 'corp.internal', ttl: 30 });
      other.synced = true;
      const r = other.lookup('web.default.svc.corp.internal', 'A')!;
      assert.deepEqual(data(r.answers), ['10.43.0.20']);
      assert.equal((r.answers[0] as { ttl: number }).ttl, 30);
      assert.equal(other.lookup('web.default.svc.cluster.local', 'A'), undefined);
    });
  });

  describe('changes', () => {
    it('forgets deleted services, namespaces and pods, and bumps the generation', () => {
      const before = store.generation;
      store.deleteService(clusterIpService('default', 'web', '10.43.0.20'));
      assert.ok(store.generation > before);
      nxdomain(zone.lookup('web.default.svc.cluster.local', 'A'));
      assert.equal(zone.lookup('20.0.43.10.in-addr.arpa', 'PTR'), undefined);
      store.deletePod(pod('default', 'db-1', '10.42.0.6'));
      nxdomain(zone.lookup('pet-1.db.default.svc.cluster.local', 'A'));
      store.deleteNamespace(namespace('default'));
      nxdomain(zone.lookup('db.default.svc.cluster.local', 'A'));
    });

    it('re-indexes a service whose ClusterIP changed', () => {
      store.setService(clusterIpService('default', 'web', '10.43.0.21', [{ name: 'http', port: 80 }]));
      assert.equal(zone.lookup('20.0.43.10.in-addr.arpa', 'PTR'), undefined);
      assert.deepEqual(data(zone.lookup('21.0.43.10.in-addr.arpa', 'PTR')!.answers), ['web.default.svc.cluster.local']);
    });

    it('ignores FQDN slices', () => {
      store.setEndpointSlice(endpointSlice('default', 'db', 'db-fqdn', [{ ip: 'example.com' }], [], 'FQDN'));
      assert.equal(zone.lookup('db.default.svc.cluster.local', 'A')!.answers.length, 3);
    });
  });
});
