import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags } from './flags.js';
import { NETWORK_FLAGS, networkConfig, parseNodePortRange } from './network.js';

const parse = (argv: string[]) => networkConfig(parseFlags(argv, NETWORK_FLAGS), '10.43.0.0/16', '10.42.0.0/16');

describe('tutti network flags', () => {
  it('defaults: the 10th service address, cluster.local, 30000-32767, everything on', () => {
    const c = parse([]);
    assert.equal(c.clusterDns, '10.43.0.10');
    assert.equal(c.clusterDomain, 'cluster.local');
    assert.deepEqual(c.nodePortRange, [30000, 32767]);
    assert.equal(c.disableProxy, false);
    assert.equal(c.disableDns, false);
  });
  it('the cluster DNS follows the service CIDR', () => {
    const c = networkConfig(parseFlags([], NETWORK_FLAGS), '10.96.0.0/12', '10.42.0.0/16');
    assert.equal(c.clusterDns, '10.96.0.10');
  });
  it('--disable takes our names and k3s names; the single flags work too', () => {
    assert.equal(parse(['--disable=kube-proxy']).disableProxy, true);
    assert.equal(parse(['--disable', 'coredns,service-proxy']).disableDns, true);
    assert.equal(parse(['--disable-dns']).disableDns, true);
    assert.equal(parse(['--disable-dns']).disableProxy, false);
    assert.throws(() => parse(['--disable=nosuch']), /unknown component "nosuch"/);
    assert.equal(parse(['--disable=traefik']).disableIngress, true);
    assert.equal(parse(['--disable=ingress']).disableProxy, false);
    assert.equal(parse([]).disableIngress, false);
    assert.equal(parse(['--disable=servicelb']).disableServicelb, true);
    assert.equal(parse(['--disable=servicelb']).disableProxy, false);
  });
  it('pods get the cluster DNS only where a proxy catches its address, or when it is named', () => {
    assert.deepEqual(parse([]).podClusterDns, ['10.43.0.10']);
    assert.deepEqual(parse(['--disable=service-proxy,dns']).podClusterDns, []);
    assert.deepEqual(parse(['--disable-service-proxy', '--cluster-dns', '10.43.0.53']).podClusterDns, ['10.43.0.53']);
    assert.deepEqual(parse(['--cluster-dns=']).podClusterDns, []);
    assert.equal(parse(['--cluster-dns=']).clusterDns, '10.43.0.10');
    assert.deepEqual(parse(['--disable-dns']).podClusterDns, ['10.43.0.10']);
  });
  it('ingress ports: 80 and 443 unless told', () => {
    assert.deepEqual([parse([]).ingressHttpPort, parse([]).ingressHttpsPort], [80, 443]);
    const c = parse(['--ingress-http-port', '8080', '--ingress-https-port=8443']);
    assert.deepEqual([c.ingressHttpPort, c.ingressHttpsPort], [8080, 8443]);
    assert.throws(() => parse(['--ingress-http-port', '0']), /--ingress-http-port must be a port/);
    assert.throws(() => parse(['--ingress-https-port', '70000']), /--ingress-https-port must be a port/);
  });
  it('node port ranges', () => {
    assert.deepEqual(parseNodePortRange('31000-31010'), [31000, 31010]);
    assert.throws(() => parseNodePortRange('32000-31000'), /FROM-TO/);
    assert.throws(() => parseNodePortRange('1-70000'), /FROM-TO/);
    assert.throws(() => parseNodePortRange('abc'), /FROM-TO/);
  });
});
