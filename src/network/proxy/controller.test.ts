// The control loop against the fake API server, with the host tools replaced by a recorder: which
// transactions it sends, when, and what it does after a failure and when it stops.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApiClient } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import { waitFor } from '../../client/testing/wait.js';
import type { Exec } from './adapter/exec.js';
import { NODE, service, slice } from './model/testing.js';
import { type ServiceProxy, startServiceProxy } from './index.js';

interface Call {
  cmd: string;
  args: string[];
  input?: string;
}

function recorder(opts: { deviceExists?: boolean } = {}) {
  const calls: Call[] = [];
  let failNext = 0;
  const exec: Exec = async (cmd, args, input) => {
    calls.push({ cmd, args, input });
    if (cmd === 'nft' && args.includes('-f')) {
      if (failNext > 0) {
        failNext--;
        return { code: 1, stdout: '', stderr: 'Error: Could not process rule: No such file or directory\n' };
      }
      return { code: 0, stdout: '', stderr: '' };
    }
    if (cmd === 'nft' && args[1] === 'list' && args[2] === 'chains')
      return { code: 0, stdout: '{"nftables": []}', stderr: '' };
    if (cmd === 'ip' && args[0] === 'link' && args[1] === 'show')
      return opts.deviceExists
        ? { code: 0, stdout: '', stderr: '' }
        : { code: 1, stdout: '', stderr: 'does not exist' };
    return { code: 0, stdout: '', stderr: '' };
  };
  return {
    exec,
    calls,
    failNext: (n: number) => {
      failNext = n;
    },
    transactions: () => calls.filter((c) => c.cmd === 'nft' && c.args.includes('-f')).map((c) => c.input ?? ''),
  };
}

describe('service proxy controller', () => {
  let api: FakeApiServer;
  let client: ApiClient;
  let proxy: ServiceProxy | undefined;

  beforeEach(async () => {
    api = await FakeApiServer.start();
    client = new ApiClient({ server: api.url });
    api.put('', 'services', service('web', {}));
    api.put('discovery.k8s.io', 'endpointslices', slice('web', [{ ip: '10.42.0.3' }]));
    api.put('', 'services', service('headless', { clusterIP: 'None' }));
  });

  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
    client.close();
    await api.stop();
  });

  it('starts with one full transaction that rebuilds the table, and routes the service CIDR', async () => {
    const r = recorder();
    proxy = await startServiceProxy({ client, node: NODE, exec: r.exec, healthCheckAddress: false });
    const [first] = r.transactions();
    assert.match(
      first!,
      /^add table ip tutti-proxy \{ comment "rules of the tutti service proxy" ; \}\ndelete table ip tutti-proxy\n/,
    );
    assert.match(
      first!,
      /add element ip tutti-proxy service-ips \{ 10\.43\.0\.10 \. tcp \. 80 comment "ns\/web:http" : goto pick-cluster-tcp-1 \}/,
    );
    assert.equal(proxy.healthy(), true);
    const ipCalls = r.calls.filter((c) => c.cmd === 'ip').map((c) => c.args.join(' '));
    assert.ok(ipCalls.includes('link add tutti-svc type bridge'));
    assert.ok(
      ipCalls.includes('route replace 10.43.0.0/16 dev tutti-svc proto 116 src 192.0.2.10'),
      ipCalls.join('\n'),
    );
  });

  it('coalesces a burst of changes into one incremental transaction', async () => {
    const r = recorder();
    proxy = await startServiceProxy({
      client,
      node: NODE,
      exec: r.exec,
      healthCheckAddress: false,
      minSyncPeriodMs: 400,
    });
    const before = r.transactions().length;
    for (let i = 0; i < 5; i++) {
      api.put('', 'services', service(`svc-${i}`, { clusterIP: `10.43.1.${i}` }));
      api.put('discovery.k8s.io', 'endpointslices', slice(`svc-${i}`, [{ ip: `10.42.1.${i}` }]));
    }
    await waitFor(() => r.transactions().length > before, 5000);
    await new Promise((res) => setTimeout(res, 500));
    const after = r.transactions().slice(before);
    assert.equal(after.length, 1, after.join('\n---\n'));
    for (let i = 0; i < 5; i++)
      assert.match(after[0]!, new RegExp(`10\\.43\\.1\\.${i} \\. tcp \\. 80 comment "ns/svc-${i}:http"`));
    assert.doesNotMatch(after[0]!, /delete table|flush table/, 'incremental');
    assert.doesNotMatch(after[0]!, /10\.43\.0\.10/, 'untouched services are not in it');
  });

  it('follows a failed transaction with a full resync, retried until it succeeds', async () => {
    const r = recorder();
    proxy = await startServiceProxy({
      client,
      node: NODE,
      exec: r.exec,
      healthCheckAddress: false,
      minSyncPeriodMs: 5,
    });
    const before = r.transactions().length;
    r.failNext(1);
    api.put('discovery.k8s.io', 'endpointslices', slice('web', [{ ip: '10.42.0.3' }, { ip: '10.42.0.4' }]));
    await waitFor(() => r.transactions().length >= before + 2, 5000);
    assert.equal(proxy.healthy(), true);
    const [failed, resync] = r.transactions().slice(before);
    assert.doesNotMatch(failed!, /flush table/);
    assert.match(resync!, /^add table ip tutti-proxy \{[^\n]*\}\nflush table ip tutti-proxy\n/, 'refresh in place');
    assert.match(resync!, /10\.43\.0\.10 \. 80 \. 1 : 10\.42\.0\.4 \. 8080/);
  });

  it('resyncs in full on its period without any change', async () => {
    const r = recorder();
    proxy = await startServiceProxy({ client, node: NODE, exec: r.exec, healthCheckAddress: false, syncPeriodMs: 150 });
    await waitFor(() => r.transactions().filter((t) => t.includes('flush table')).length >= 2, 5000);
  });

  it('deletes its table, route and device when stopped', async () => {
    const r = recorder();
    proxy = await startServiceProxy({ client, node: NODE, exec: r.exec, healthCheckAddress: false });
    await proxy.stop();
    proxy = undefined;
    assert.equal(r.transactions().at(-1), 'add table ip tutti-proxy\ndelete table ip tutti-proxy\n');
    const ipCalls = r.calls.filter((c) => c.cmd === 'ip').map((c) => c.args.join(' '));
    assert.deepEqual(ipCalls.slice(-2), ['route del 10.43.0.0/16 proto 116', 'link del tutti-svc']);
  });

  it('takes over the tutti-svc device a crashed proxy left, and removes it when stopped', async () => {
    const r = recorder({ deviceExists: true });
    proxy = await startServiceProxy({ client, node: NODE, exec: r.exec, healthCheckAddress: false });
    const ipCalls = () => r.calls.filter((c) => c.cmd === 'ip').map((c) => c.args.join(' '));
    assert.ok(!ipCalls().some((c) => c.startsWith('link add')), 'the device is reused, not created');
    await proxy.stop();
    proxy = undefined;
    assert.deepEqual(ipCalls().slice(-2), ['route del 10.43.0.0/16 proto 116', 'link del tutti-svc']);
  });
});
