// The real kubectl against a real `tutti server`: create, get in every output form, selectors, describe,
// label/annotate, the three patch types, edit, scale, delete, typed create commands, explain.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestServer, startTestServer } from './harness.js';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.35
        command: ["httpd", "-f", "-p", "8080"]
        ports: [{containerPort: 8080}]
`;

describe('kubectl against tutti server', () => {
  let s: TestServer;
  let dir: string;
  before(async () => {
    s = await startTestServer({ controlPlane: true });
    dir = mkdtempSync(join(tmpdir(), 'tutti-manifests-'));
  });
  after(async () => {
    await s?.stop();
  });

  it('reports a 1.32 server and lists the system namespaces', async () => {
    const v = JSON.parse(await s.k('version', '-o', 'json')) as { serverVersion: { minor: string } };
    assert.equal(v.serverVersion.minor, '32');
    const out = await s.k('get', 'namespaces');
    assert.match(out, /^NAME\s+STATUS\s+AGE/m);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      assert.match(out, new RegExp(`^${ns}\\s+Active`, 'm'));
  });

  it('creates from a file and gets tables, wide, yaml, json, labels, field selectors and all namespaces', async () => {
    const f = join(dir, 'deploy.yaml');
    writeFileSync(f, DEPLOYMENT);
    assert.match(await s.k('create', '-f', f), /deployment.apps\/web created/);
    const table = await s.k('get', 'deployments');
    assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/m);
    assert.match(table, /^web\s+0\/2/m);
    const wide = await s.k('get', 'deploy', '-o', 'wide');
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /busybox:1\.35\s+app=web/);
    const y = await s.k('get', 'deploy', 'web', '-o', 'yaml');
    assert.match(y, /strategy:\n\s+rollingUpdate:\n\s+maxSurge: 25%/);
    assert.match(y, /revisionHistoryLimit: 10/);
    const obj = JSON.parse(await s.k('get', 'deploy', 'web', '-o', 'json')) as {
      metadata: { uid: string; resourceVersion: string; generation: number };
      spec: { template: { spec: { containers: { imagePullPolicy: string }[]; restartPolicy: string } } };
    };
    assert.ok(obj.metadata.uid);
    assert.ok(Number(obj.metadata.resourceVersion) > 0);
    assert.equal(obj.metadata.generation, 1);
    assert.equal(obj.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
    await s.k('create', 'namespace', 'other');
    await s.k('create', 'configmap', 'cfg', '-n', 'other', '--from-literal=a=1');
    await s.k('create', 'configmap', 'cfg2', '--from-literal=b=2');
    await s.k('label', 'configmap', 'cfg2', 'team=blue');
    const sel = await s.k('get', 'cm', '-l', 'team=blue', '-o', 'name');
    assert.equal(sel.trim(), 'configmap/cfg2');
    const notSel = await s.k('get', 'cm', '-l', 'team!=blue', '-o', 'name');
    assert.doesNotMatch(notSel, /cfg2/);
    const byName = await s.k('get', 'cm', '--field-selector', 'metadata.name=cfg2', '-o', 'name');
    assert.equal(byName.trim(), 'configmap/cfg2');
    const all = await s.k('get', 'cm', '-A');
    assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE/m);
    assert.match(all, /^other\s+cfg\s+1/m);
    assert.match(all, /^default\s+cfg2\s+1/m);
    const bad = await s.kubectl(['get', 'cm', '--field-selector', 'spec.nope=1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /"spec\.nope" is not a known field selector/);
  });

  it('labels, annotates, and patches with merge, strategic and JSON patches', async () => {
    await s.k('annotate', 'deploy', 'web', 'note=hello');
    await s.k('label', 'deploy', 'web', 'tier-');
    let d = JSON.parse(await s.k('get', 'deploy', 'web', '-o', 'json')) as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string>; generation: number };
      spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } };
    };
    assert.equal(d.metadata.annotations.note, 'hello');
    assert.equal(d.metadata.labels.tier, undefined);
    await s.k('patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"replicas":4}}');
    await s.k(
      'patch',
      'deploy',
      'web',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"busybox:1.36"}]}}}}',
    );
    await s.k(
      'patch',
      'deploy',
      'web',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/metadata/labels/extra","value":"x"}]',
    );
    d = JSON.parse(await s.k('get', 'deploy', 'web', '-o', 'json'));
    assert.equal(d.spec.replicas, 4);
    assert.deepEqual(
      d.spec.template.spec.containers.map((c) => [c.name, c.image]),
      [['web', 'busybox:1.36']],
    );
    assert.equal(d.metadata.labels.extra, 'x');
    assert.equal(d.metadata.generation, 3);
    const failed = await s.kubectl([
      'patch',
      'deploy',
      'web',
      '--type=json',
      '-p',
      '[{"op":"test","path":"/spec/replicas","value":9}]',
    ]);
    assert.notEqual(failed.code, 0);
  });

  it('edits with a scripted EDITOR', async () => {
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/replicas: 4/replicas: 5/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = await s.kubectl(['edit', 'deploy', 'web'], { env: { EDITOR: editor, KUBE_EDITOR: editor } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/web edited/);
    assert.equal(JSON.parse(await s.k('get', 'deploy', 'web', '-o', 'json')).spec.replicas, 5);
  });

  it('scales through the scale subresource', async () => {
    assert.match(await s.k('scale', 'deploy', 'web', '--replicas=7'), /scaled/);
    const scale = await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    const body = JSON.parse(scale.body) as { kind: string; spec: { replicas: number }; status: { selector: string } };
    assert.equal(body.kind, 'Scale');
    assert.equal(body.spec.replicas, 7);
    assert.equal(body.status.selector, 'app=web');
  });

  it('describes objects', async () => {
    const out = await s.k('describe', 'deploy', 'web');
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^Replicas:\s+7 desired/m);
    assert.match(out, /^StrategyType:\s+RollingUpdate$/m);
  });

  it('creates objects with the typed commands (protobuf bodies)', async () => {
    assert.match(
      await s.k('create', 'deployment', 'typed', '--image=busybox:1.35', '--replicas=2', '--port=80'),
      /created/,
    );
    assert.match(await s.k('create', 'secret', 'generic', 'sec', '--from-literal=password=s3cret'), /created/);
    assert.match(await s.k('create', 'service', 'clusterip', 'typed', '--tcp=80:8080'), /created/);
    assert.match(await s.k('create', 'service', 'nodeport', 'np', '--tcp=80:8080'), /created/);
    assert.match(await s.k('autoscale', 'deployment', 'typed', '--min=2', '--max=5', '--cpu-percent=60'), /autoscaled/);
    const d = JSON.parse(await s.k('get', 'deploy', 'typed', '-o', 'json'));
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 80);
    const sec = JSON.parse(await s.k('get', 'secret', 'sec', '-o', 'json'));
    assert.equal(Buffer.from(sec.data.password, 'base64').toString(), 's3cret');
    assert.equal(sec.type, 'Opaque');
    const svc = JSON.parse(await s.k('get', 'svc', 'typed', '-o', 'json'));
    assert.match(svc.spec.clusterIP, /^10\.43\./);
    assert.equal(svc.spec.ports[0].targetPort, 8080);
    const np = JSON.parse(await s.k('get', 'svc', 'np', '-o', 'json'));
    assert.ok(np.spec.ports[0].nodePort >= 30000 && np.spec.ports[0].nodePort <= 32767);
    const svcs = await s.k('get', 'svc');
    assert.match(svcs, /^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP/m);
    const hpa = await s.k('get', 'hpa', 'typed');
    assert.match(hpa, /Deployment\/typed/);
    assert.match(hpa, /\s2\s+5\s/);
  });

  it('explains fields from the OpenAPI schemas', async () => {
    const out = await s.k('explain', 'pod.spec.containers');
    assert.match(out, /KIND:\s+Pod/);
    assert.match(out, /image\s+<string>/);
  });

  it('deletes with cascade options and waits', async () => {
    await s.k('create', 'cm', 'gone', '--from-literal=x=1');
    const waiter = s.kubectl(['wait', '--for=delete', 'cm/gone', '--timeout=20s']);
    await new Promise((r) => setTimeout(r, 500));
    assert.match(await s.k('delete', 'cm', 'gone'), /deleted/);
    assert.equal((await waiter).code, 0);
    assert.match(await s.k('delete', 'deploy', 'typed', '--cascade=orphan'), /deleted/);
    const r = await s.kubectl(['get', 'deploy', 'typed']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound/);
  });

  it('waits for a condition', async () => {
    await s.k('create', 'cm', 'cond', '--from-literal=x=1');
    const r = await s.kubectl(['wait', '--for=jsonpath={.data.x}=1', 'cm/cond', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /condition met/);
  });
});
