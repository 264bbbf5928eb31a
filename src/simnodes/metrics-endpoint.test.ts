// The simulated nodes' metrics endpoint over real HTTPS on two loopback addresses: each address answers
// for its own node, with the usage of the pods' annotation; no token, no answer; a token without nodes/metrics:
// the kubelet's 403.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from '../core/types.js';
import { SIMULATED_USAGE_ANNOTATION } from '../core/well-known.js';
import { agentResourceMetricsFetch, decodeResourceMetrics, SimulatedUsageMeter } from '../metrics/index.js';
import { type SimulatedMetricsEndpoint, startSimulatedMetricsEndpoint } from './metrics-endpoint.js';
import { simulatedNodeIP } from './node-address.js';

const pod = (name: string, node: string, usage: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations: { [SIMULATED_USAGE_ANNOTATION]: usage } },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running', startTime: new Date(Date.now() - 1000).toISOString() },
});

describe('simulated nodes metrics endpoint', () => {
  const ips = [simulatedNodeIP(9001), simulatedNodeIP(9002)];
  const pods = [pod('a', 'n0', 'cpu=250m,memory=64Mi'), pod('b', 'n1', 'cpu=1,memory=1Gi')];
  let ep: SimulatedMetricsEndpoint;
  const scraper = { name: 'scraper', groups: [] };
  const viewer = { name: 'viewer', groups: [] };
  const asked: string[] = [];
  const fetch = agentResourceMetricsFetch({ token: 'secret' });
  const nodeAt = (name: string, ip: string, port: number): Node => ({
    metadata: { name },
    status: { addresses: [{ type: 'InternalIP', address: ip }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  });
  before(async () => {
    ep = await startSimulatedMetricsEndpoint({
      nodes: new Map([
        [ips[0]!, 'n0'],
        [ips[1]!, 'n1'],
      ]),
      auth: {
        // "secret" is the scraper (may do all), "viewer" may read nodes/stats only.
        authenticate: async (t) => (t === 'secret' ? scraper : t === 'viewer' ? viewer : undefined),
        authorize: async (u, a) => {
          asked.push(`${u.name} ${a.verb} ${a.resource}/${a.subresource} ${a.name}`);
          return { allowed: u === scraper || a.subresource === 'stats' };
        },
      },
      meter: new SimulatedUsageMeter(),
      podsOf: (n) => pods.filter((p) => p.spec?.nodeName === n),
    });
  });
  after(async () => {
    fetch.close();
    await ep?.stop();
  });

  it('answers for the node whose address was dialled', async () => {
    assert.ok(ep.port > 0);
    assert.deepEqual(ep.unbound, []);
    for (const [i, name] of ['n0', 'n1'].entries()) {
      const text = await fetch(nodeAt(name, ips[i]!, ep.port), new AbortController().signal);
      const snap = decodeResourceMetrics(text, Date.now());
      assert.deepEqual(
        snap.pods.map((p) => p.name),
        [i === 0 ? 'a' : 'b'],
      );
      assert.equal(snap.pods[0]!.containers[0]!.usage.memoryBytes, i === 0 ? 64 * 1024 * 1024 : 1024 ** 3);
    }
  });

  it('needs the token', async () => {
    const code = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: ips[0], port: ep.port, path: '/metrics/resource', rejectUnauthorized: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(code, 401);
    const wrong = agentResourceMetricsFetch({ token: 'nope' });
    await assert.rejects(wrong(nodeAt('n0', ips[0]!, ep.port), new AbortController().signal), /HTTP 401/);
    wrong.close();
  });

  it('authorizes nodes/metrics of the node dialled: 403 with the kubelet message when denied', async () => {
    asked.length = 0;
    const denied = agentResourceMetricsFetch({ token: 'viewer' });
    await assert.rejects(
      denied(nodeAt('n1', ips[1]!, ep.port), new AbortController().signal),
      /HTTP 403.*Forbidden \(user=viewer, verb=get, resource=nodes, subresource\(s\)=\[metrics\]\)/,
    );
    denied.close();
    assert.deepEqual(asked, ['viewer get nodes/metrics n1']);
  });
});
