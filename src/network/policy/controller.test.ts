// The NetworkPolicy control loop against the fake API server, with nft replaced by a recorder: one
// transaction per change, none when nothing the ruleset depends on changed, a retry after a refused one,
// and the table deleted on stop.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiClient } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import { waitFor } from '../../client/testing/wait.js';
import type { NetworkPolicy, Pod } from '../../core/index.js';
import type { Exec } from '../proxy/adapter/exec.js';
import { type NetworkPolicyEnforcer, startNetworkPolicy } from './index.js';

function pod(name: string, ip: string, node: string, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName: node, containers: [{ name: 'c' }] },
    status: { podIP: ip, phase: 'Running' },
  } as Pod;
}

describe('network policy controller', () => {
  let api: FakeApiServer;
  let enforcer: NetworkPolicyEnforcer | undefined;
  const scripts: string[] = [];
  let refuse = 0;
  const exec: Exec = async (_cmd, _args, input) => {
    scripts.push(input ?? '');
    if (refuse > 0) {
      refuse--;
      return { code: 1, stdout: '', stderr: 'Error: Could not process rule: No such file or directory\n' };
    }
    return { code: 0, stdout: '', stderr: '' };
  };
  const start = () =>
    startNetworkPolicy({ client: new ApiClient({ server: api.url }), nodeName: 'n1', exec, minSyncPeriodMs: 5 });

  beforeEach(async () => {
    scripts.length = 0;
    refuse = 0;
    api = await FakeApiServer.start();
    api.put('', 'namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    api.put('', 'pods', pod('web', '10.42.1.5', 'n1', { app: 'web' }));
    api.put('', 'pods', pod('remote', '10.42.2.5', 'n2', { app: 'web' }));
  });
  afterEach(async () => {
    await enforcer?.stop();
    enforcer = undefined;
    await api.stop();
  });

  it('applies the ruleset on start, again on a policy change, not when nothing it depends on changed', async () => {
    enforcer = await start();
    assert.equal(scripts.length, 1);
    assert.doesNotMatch(scripts[0]!, /jump ingress/);
    api.put('networking.k8s.io', 'networkpolicies', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'default' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    } as NetworkPolicy);
    await waitFor(() => scripts.length === 2);
    // Only this node's pod gets a chain; the remote one is enforced by its own node.
    assert.match(scripts[1]!, /10\.42\.1\.5 : jump ingress-0/);
    assert.doesNotMatch(scripts[1]!, /10\.42\.2\.5 : jump/);
    assert.deepEqual(
      enforcer.verdicts().map((v) => v.pod),
      ['default/web'],
    );
    // A label change no policy looks at: same script, no transaction.
    api.put('', 'pods', pod('remote', '10.42.2.5', 'n2', { app: 'web', extra: 'x' }));
    await new Promise((r) => setTimeout(r, 100));
    await enforcer.syncNow();
    assert.equal(scripts.length, 2);
  });

  it('retries a transaction the kernel refused, and deletes the table on stop', async () => {
    refuse = 1;
    enforcer = await start();
    await waitFor(() => scripts.length >= 2, 5000);
    assert.equal(scripts[0], scripts[1]);
    await enforcer.stop();
    enforcer = undefined;
    assert.match(scripts[scripts.length - 1]!, /^table inet tutti-policy \{\}\ndelete table inet tutti-policy\n$/);
  });
});
