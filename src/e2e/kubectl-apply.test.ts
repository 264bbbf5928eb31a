// kubectl apply, client-side and server-side, including field-manager conflicts; and get -w.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KUBECTL, type TestServer, startTestServer } from './harness.js';

function deployment(replicas: number, image: string, extraLabel?: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels:
    app: app${extraLabel ? `\n    ${extraLabel}: "yes"` : ''}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      containers:
      - name: main
        image: ${image}
      - name: side
        image: busybox:1.35
`;
}

describe('kubectl apply and watch', () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'tutti-apply-'));
  });
  after(async () => {
    await s?.stop();
  });

  it('client-side apply creates, then patches, and removes what was dropped from the file', async () => {
    const f = join(dir, 'app.yaml');
    writeFileSync(f, deployment(2, 'busybox:1.35', 'extra'));
    assert.match(await s.k('apply', '-f', f), /deployment.apps\/app created/);
    writeFileSync(f, deployment(3, 'busybox:1.36'));
    assert.match(await s.k('apply', '-f', f), /deployment.apps\/app configured/);
    const d = JSON.parse(await s.k('get', 'deploy', 'app', '-o', 'json'));
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'busybox:1.36');
    assert.equal(d.spec.template.spec.containers[1].name, 'side');
    assert.equal(d.metadata.labels.extra, undefined);
    assert.ok(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.match(await s.k('apply', '-f', f), /deployment.apps\/app unchanged/);
  });

  it('server-side apply owns fields and reports conflicts with other managers', async () => {
    const f = join(dir, 'ssa.yaml');
    writeFileSync(f, deployment(2, 'busybox:1.35').replace('name: app', 'name: ssa'));
    assert.match(await s.k('apply', '--server-side', '-f', f), /serverside-applied/);
    let d = JSON.parse(await s.k('get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields'));
    const managers = (d.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    assert.ok(managers.includes('kubectl/Apply'), managers.join(','));
    await s.k('scale', 'deploy', 'ssa', '--replicas=5');
    writeFileSync(f, deployment(4, 'busybox:1.35').replace('name: app', 'name: ssa'));
    const conflict = await s.kubectl(['apply', '--server-side', '-f', f]);
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict/i);
    assert.match(conflict.stderr, /\.spec\.replicas/);
    assert.match(await s.k('apply', '--server-side', '--force-conflicts', '-f', f), /serverside-applied/);
    d = JSON.parse(await s.k('get', 'deploy', 'ssa', '-o', 'json'));
    assert.equal(d.spec.replicas, 4);
  });

  it('get -w streams changes after the initial list', async () => {
    await s.k('create', 'cm', 'w1', '--from-literal=a=1');
    const child: ChildProcess = spawn(
      KUBECTL,
      ['--kubeconfig', s.kubeconfig, 'get', 'cm', '-w', '--output-watch-events'],
      {
        env: { ...process.env, HOME: dir },
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor(() => /w1/.test(out), 10_000);
      await s.k('create', 'cm', 'w2', '--from-literal=a=1');
      await s.k('delete', 'cm', 'w1');
      await waitFor(() => /ADDED\s+w2/.test(out) && /DELETED\s+w1/.test(out), 10_000);
    } finally {
      child.kill();
    }
  });
});

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
