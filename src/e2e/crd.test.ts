// CustomResourceDefinitions through the real kubectl against a real `tutti server`: Established, every verb
// on custom objects, printer columns, schema validation (422), pruning and defaults, the status and scale
// subresources, OpenAPI for explain, CRD deletion removing its objects, and objects surviving a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type TestServer, startTestServer } from './harness.js';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
    categories: [all]
  versions:
  - name: v1
    served: true
    storage: true
    selectableFields:
    - jsonPath: .spec.image
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec:
                type: string
                pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                maximum: 10
                default: 1
              mode:
                type: string
                enum: [fast, slow]
              port:
                x-kubernetes-int-or-string: true
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            properties:
              replicas:
                type: integer
              phase:
                type: string
              selector:
                type: string
`;

const CLUSTER_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  scope: Cluster
  names: {plural: widgets, kind: Widget}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`;

async function pollCondition(
  s: TestServer,
  crd: string,
  type: string,
): Promise<{ status: string; reason: string; message: string }> {
  for (let i = 0; i < 50; i++) {
    const o = JSON.parse(await s.k('get', 'crd', crd, '-o', 'json'));
    const c = (o.status?.conditions ?? []).find((x: { type: string }) => x.type === type);
    if (c) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${type} condition on ${crd}`);
}

function cronTab(name: string, spec: string): string {
  return `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
${spec
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;
}

describe('CustomResourceDefinitions through kubectl', () => {
  let s: TestServer;
  let dir: string;
  const file = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  before(async () => {
    s = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'tutti-crd-'));
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl api-resources lists the workload, storage, extension, quota and ingress kinds', async () => {
    const out = await s.k('api-resources', '--no-headers', '-o', 'wide');
    const rows = new Map(
      out
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .map((cols) => [cols[0], cols] as const),
    );
    const want: [string, string, string][] = [
      ['statefulsets', 'apps/v1', 'StatefulSet'],
      ['cronjobs', 'batch/v1', 'CronJob'],
      ['jobs', 'batch/v1', 'Job'],
      ['persistentvolumes', 'v1', 'PersistentVolume'],
      ['persistentvolumeclaims', 'v1', 'PersistentVolumeClaim'],
      ['storageclasses', 'storage.k8s.io/v1', 'StorageClass'],
      ['customresourcedefinitions', 'apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
      ['resourcequotas', 'v1', 'ResourceQuota'],
      ['limitranges', 'v1', 'LimitRange'],
      ['ingresses', 'networking.k8s.io/v1', 'Ingress'],
      ['ingressclasses', 'networking.k8s.io/v1', 'IngressClass'],
    ];
    for (const [name, groupVersion, kind] of want) {
      const row = rows.get(name);
      assert.ok(row, `${name} missing from kubectl api-resources`);
      assert.ok(row.includes(groupVersion) && row.includes(kind), `${name}: ${row.join(' ')}`);
    }
    // Every verb kubectl needs, for one of them (the VERBS column of -o wide).
    assert.match(
      rows.get('statefulsets')!.join(' '),
      /create[ ,]delete[ ,]deletecollection[ ,]get[ ,]list[ ,]patch[ ,]update[ ,]watch/,
    );
  });

  it('a CRD becomes Established and its kind is discovered', async () => {
    assert.match(
      await s.k('apply', '-f', file('crd.yaml', CRD)),
      /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/,
    );
    await s.k('wait', '--for=condition=Established', '--timeout=10s', 'crd/crontabs.stable.example.com');
    const crd = JSON.parse(await s.k('get', 'crd', 'crontabs.stable.example.com', '-o', 'json'));
    const cond = Object.fromEntries(
      crd.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status]),
    );
    assert.equal(cond.NamesAccepted, 'True');
    assert.equal(cond.Established, 'True');
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.equal(crd.status.acceptedNames.kind, 'CronTab');
    assert.ok(crd.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
    const resources = await s.k('api-resources', '--api-group=stable.example.com');
    assert.match(resources, /crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab/);
  });

  it('an invalid CRD is a 422 with upstream field paths', async () => {
    const bad = CRD.replace('name: crontabs.stable.example.com', 'name: wrong.stable.example.com').replace(
      'storage: true',
      'storage: false',
    );
    const r = await s.kubectl(['apply', '-f', file('bad-crd.yaml', bad)]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /metadata\.name: Invalid value: "wrong\.stable\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/,
    );
    assert.match(r.stderr, /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/);
    const noType = CLUSTER_CRD.replace('name: widgets.example.org', 'name: gadgets.example.org')
      .replace('{plural: widgets, kind: Widget}', '{plural: gadgets, kind: Gadget}')
      .replace(
        '        x-kubernetes-preserve-unknown-fields: true\n',
        '        properties:\n          spec: {description: untyped}\n',
      );
    const r2 = await s.kubectl(['create', '-f', file('untyped.yaml', noType)]);
    assert.notEqual(r2.code, 0);
    assert.match(
      r2.stderr,
      /openAPIV3Schema\.properties\[spec\]\.type: Required value: must not be empty for specified object fields/,
    );
  });

  it('creates, gets, lists with printer columns, patches and deletes custom objects', async () => {
    await s.k('apply', '-f', file('a.yaml', cronTab('a', 'cronSpec: "* * * * */5"\nimage: img:1')));
    await s.k('create', '-f', file('b.yaml', cronTab('b', 'cronSpec: "*/2 * * * *"\nreplicas: 3\nport: http')));
    const a = JSON.parse(await s.k('get', 'crontab', 'a', '-o', 'json'));
    assert.equal(a.spec.replicas, 1, 'default applied');
    assert.equal(a.metadata.generation, 1);
    const table = await s.k('get', 'ct');
    assert.match(table, /^NAME\s+SPEC\s+REPLICAS\s+AGE/);
    assert.match(table, /\na\s+\* \* \* \* \*\/5\s+1\s+\d+s/);
    assert.match(table, /\nb\s+\*\/2 \* \* \* \*\s+3\s+\d+s/);
    assert.match(await s.k('get', 'crontabs', '-l', 'app=b', '-o', 'name'), /^crontab\.stable\.example\.com\/b\n$/);
    assert.equal(
      await s.k('get', 'crontabs', '--field-selector', 'metadata.name=a', '-o', 'name'),
      'crontab.stable.example.com/a\n',
    );
    assert.match(await s.k('get', 'all', '-o', 'name'), /crontab\.stable\.example\.com\/a/);
    assert.equal(
      await s.k('get', 'crontabs', '--field-selector', 'spec.image=img:1', '-o', 'name'),
      'crontab.stable.example.com/a\n',
    );
    const unsupported = await s.kubectl(['get', 'crontabs', '--field-selector', 'spec.bogus=1']);
    assert.match(unsupported.stderr, /field label not supported: spec\.bogus/);
    // kubectl patch defaults to strategic merge: a 415 for custom objects, as upstream.
    const smp = await s.kubectl(['patch', 'crontab', 'a', '-p', '{"spec":{"image":"img:2"}}']);
    assert.notEqual(smp.code, 0);
    assert.match(smp.stderr, /UnsupportedMediaType|unknown format/i);
    await s.k('patch', 'crontab', 'a', '--type=merge', '-p', '{"spec":{"image":"img:2"}}');
    await s.k('patch', 'crontab', 'a', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]');
    const patched = JSON.parse(await s.k('get', 'crontab', 'a', '-o', 'json'));
    assert.equal(patched.spec.image, 'img:2');
    assert.equal(patched.spec.replicas, 4);
    assert.equal(patched.metadata.generation, 3);
    assert.match(
      await s.k(
        'apply',
        '--server-side',
        '--force-conflicts',
        '-f',
        file('a2.yaml', cronTab('a', 'cronSpec: "* * * * */5"\nimage: img:3')),
      ),
      /serverside-applied/,
    );
    assert.equal(JSON.parse(await s.k('get', 'crontab', 'a', '-o', 'json')).spec.image, 'img:3');
    await s.k('label', 'crontab', 'b', 'tier=x');
    assert.match(await s.k('delete', 'crontab', 'b'), /crontab.stable.example.com "b" deleted/);
    const gone = await s.kubectl(['get', 'crontab', 'b']);
    assert.match(gone.stderr, /crontabs.stable.example.com "b" not found/);
  });

  it('rejects objects that break the schema with 422 and field paths', async () => {
    const r = await s.kubectl([
      'create',
      '--validate=false',
      '-f',
      file('bad.yaml', cronTab('bad', 'cronSpec: "not a cron"\nreplicas: 20\nmode: medium\nport: true')),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The CronTab "bad" is invalid/);
    assert.match(r.stderr, /spec\.cronSpec: Invalid value: "not a cron": spec\.cronSpec in body should match/);
    assert.match(
      r.stderr,
      /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/,
    );
    assert.match(r.stderr, /spec\.mode: Unsupported value: "medium": supported values: "fast", "slow"/);
    assert.match(r.stderr, /spec\.port: Invalid value: "boolean": spec\.port in body must be of type integer,string/);
    const missing = await s.kubectl(['create', '--validate=false', '-f', file('m.yaml', cronTab('m', 'image: x'))]);
    assert.match(missing.stderr, /spec\.cronSpec: Required value/);
    const raw = await s.request('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'typed' },
      spec: { cronSpec: '* * * * *', replicas: 'two' },
    });
    assert.equal(raw.status, 422);
    const st = JSON.parse(raw.body);
    assert.equal(st.reason, 'Invalid');
    assert.match(
      st.message,
      /^CronTab\.stable\.example\.com "typed" is invalid: spec\.replicas: Invalid value: "string"/,
    );
    assert.deepEqual(
      st.details.causes.map((c: { field: string }) => c.field),
      ['spec.replicas'],
    );
  });

  it('prunes unknown fields (warning about them) and keeps preserved ones', async () => {
    const r = await s.kubectl([
      'create',
      '--validate=warn',
      '-f',
      file('p.yaml', cronTab('pruned', 'cronSpec: "* * * * *"\nbogus: 1\nextra: {anything: [1, 2]}')),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /unknown field "spec\.bogus"/);
    const o = JSON.parse(await s.k('get', 'crontab', 'pruned', '-o', 'json'));
    assert.equal(o.spec.bogus, undefined);
    assert.deepEqual(o.spec.extra, { anything: [1, 2] });
    const strict = await s.request(
      'POST',
      '/apis/stable.example.com/v1/namespaces/default/crontabs?fieldValidation=Strict',
      {
        apiVersion: 'stable.example.com/v1',
        kind: 'CronTab',
        metadata: { name: 's' },
        spec: { cronSpec: '* * * * *', nope: 1 },
      },
    );
    assert.equal(strict.status, 400);
    assert.match(strict.body, /unknown field \\"spec\.nope\\"/);
  });

  it('the status subresource ignores spec, the main resource ignores status; scale works', async () => {
    const path = '/apis/stable.example.com/v1/namespaces/default/crontabs/a';
    const st = await s.request(
      'PATCH',
      `${path}/status`,
      { spec: { image: 'from-status' }, status: { replicas: 2, phase: 'Running', selector: 'app=a' } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(st.status, 200, st.body);
    const main = await s.request(
      'PATCH',
      path,
      { status: { phase: 'Hacked' } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(main.status, 200, main.body);
    const o = JSON.parse(await s.k('get', 'crontab', 'a', '-o', 'json'));
    assert.equal(o.spec.image, 'img:3');
    assert.deepEqual(o.status, { replicas: 2, phase: 'Running', selector: 'app=a' });
    await s.k('scale', 'crontab', 'a', '--replicas=6');
    const scale = JSON.parse((await s.request('GET', `${path}/scale`)).body);
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.spec.replicas, 6);
    assert.equal(scale.status.replicas, 2);
    assert.equal(scale.status.selector, 'app=a');
    assert.equal(JSON.parse(await s.k('get', 'crontab', 'a', '-o', 'json')).spec.replicas, 6);
  });

  it('kubectl explain reads the schema from /openapi/v3', async () => {
    const out = await s.k('explain', 'crontab.spec.replicas');
    assert.match(out, /KIND:\s+CronTab/);
    assert.match(out, /FIELD:\s+replicas <integer>/);
    // Client-side validation (the default) flags unknown fields from the published schema.
    const r = await s.kubectl([
      'create',
      '--validate=strict',
      '-f',
      file('cv.yaml', cronTab('cv', 'cronSpec: "* * * * *"\nwrongField: 1')),
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /wrongField/);
  });

  it('watch streams custom objects', async () => {
    const w = await s.request(
      'GET',
      '/apis/stable.example.com/v1/namespaces/default/crontabs?watch=true&timeoutSeconds=1',
    );
    assert.equal(w.status, 200);
    const names = w.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } })
      .map((e) => `${e.type} ${e.object.metadata.name}`);
    assert.ok(names.includes('ADDED a'), names.join(','));
  });

  it('cluster-scoped CRDs with preserved fields serve at the cluster level', async () => {
    await s.k('apply', '-f', file('w.yaml', CLUSTER_CRD));
    await s.k('wait', '--for=condition=Established', '--timeout=10s', 'crd/widgets.example.org');
    await s.k(
      'apply',
      '-f',
      file(
        'w1.yaml',
        'apiVersion: example.org/v1alpha1\nkind: Widget\nmetadata: {name: w1}\nspec: {free: [1, {x: z}]}\n',
      ),
    );
    const w = JSON.parse(await s.k('get', 'widget', 'w1', '-o', 'json'));
    assert.deepEqual(w.spec, { free: [1, { x: 'z' }] });
    assert.equal(w.metadata.namespace, undefined);
    assert.match(await s.k('get', 'widgets'), /^NAME\s+AGE\nw1\s+\d+s/);
  });

  it('a CRD being deleted waits for objects its finalizers hold, refusing new ones', async () => {
    await s.k(
      'apply',
      '-f',
      file(
        'held.yaml',
        'apiVersion: example.org/v1alpha1\nkind: Widget\nmetadata: {name: held, finalizers: [example.org/hold]}\n',
      ),
    );
    await s.k('delete', 'crd', 'widgets.example.org', '--wait=false');
    const crd = await pollCondition(s, 'widgets.example.org', 'Terminating');
    assert.equal(crd.status, 'True');
    const held = JSON.parse(await s.k('get', 'widget', 'held', '-o', 'json'));
    assert.ok(held.metadata.deletionTimestamp);
    const refused = await s.request('POST', '/apis/example.org/v1alpha1/widgets', {
      apiVersion: 'example.org/v1alpha1',
      kind: 'Widget',
      metadata: { name: 'late' },
    });
    assert.equal(refused.status, 405, refused.body);
    await s.k('patch', 'widget', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    for (let i = 0; i < 100; i++) {
      if (
        (await s.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.org'))
          .status === 404
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(
      (await s.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.org')).status,
      404,
    );
    assert.equal((await s.request('GET', '/apis/example.org/v1alpha1/widgets')).status, 404);
  });

  it('serves several versions with conversion None, and refuses names already in use', async () => {
    const multi = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.net}
spec:
  group: example.net
  scope: Namespaced
  names: {plural: gizmos, kind: Gizmo}
  versions:
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {size: {type: integer}}}}}}
`;
    const t0 = Date.now();
    await s.k('apply', '-f', file('multi.yaml', multi));
    await s.k('wait', '--for=condition=Established', '--timeout=10s', 'crd/gizmos.example.net');
    console.log(`# CRD created to Established (kubectl apply + wait): ${Date.now() - t0} ms`);
    const created = await s.request('POST', '/apis/example.net/v1beta1/namespaces/default/gizmos', {
      apiVersion: 'example.net/v1beta1',
      kind: 'Gizmo',
      metadata: { name: 'g' },
      spec: { size: 2 },
    });
    assert.equal(created.status, 201, created.body);
    assert.equal(JSON.parse(created.body).apiVersion, 'example.net/v1beta1');
    const asV1 = JSON.parse(await s.k('get', 'gizmos.v1.example.net', 'g', '-o', 'json'));
    assert.equal(asV1.apiVersion, 'example.net/v1');
    assert.equal(asV1.spec.size, 2);
    const group = JSON.parse((await s.request('GET', '/apis/example.net')).body);
    assert.equal(group.preferredVersion.version, 'v1');
    assert.deepEqual(
      group.versions.map((v: { version: string }) => v.version),
      ['v1', 'v1beta1'],
    );
    await s.k('create', '-f', file('g2.yaml', 'apiVersion: example.net/v1\nkind: Gizmo\nmetadata: {name: g2}\n'));
    assert.match(await s.k('delete', 'gizmos', '--all'), /gizmo.example.net "g" deleted\n.*"g2" deleted/s);
    assert.deepEqual(JSON.parse(await s.k('get', 'gizmos', '-o', 'json')).items, []);
    // A second CRD for the same kind in the group is not served.
    const clash = multi
      .replace('name: gizmos.example.net', 'name: gizmoes.example.net')
      .replace('plural: gizmos', 'plural: gizmoes');
    await s.k('apply', '-f', file('clash.yaml', clash));
    const cond = await pollCondition(s, 'gizmoes.example.net', 'NamesAccepted');
    assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'KindConflict', '"Gizmo" is already in use']);
    assert.equal((await s.request('GET', '/apis/example.net/v1/gizmoes')).status, 404);
    await s.k('delete', 'crd', 'gizmoes.example.net', 'gizmos.example.net');
  });

  it('custom objects survive a restart; deleting the CRD deletes them', async () => {
    await s.kill9();
    await s.restart();
    await s.k('wait', '--for=condition=Established', '--timeout=10s', 'crd/crontabs.stable.example.com');
    assert.equal(JSON.parse(await s.k('get', 'crontab', 'a', '-o', 'json')).spec.image, 'img:3');
    assert.match(await s.k('delete', 'crd', 'crontabs.stable.example.com', '--timeout=20s'), /deleted/);
    const list = await s.request('GET', '/apis/stable.example.com/v1/crontabs');
    assert.equal(list.status, 404);
    const keys = await s.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    assert.doesNotMatch(keys.body, /crontabs\.stable\.example\.com/);
    // Recreated, the CRD starts empty: its objects went with it.
    await s.k('apply', '-f', file('crd.yaml', CRD));
    await s.k('wait', '--for=condition=Established', '--timeout=10s', 'crd/crontabs.stable.example.com');
    const items = JSON.parse(await s.k('get', 'crontabs', '-A', '-o', 'json')).items;
    assert.deepEqual(items, []);
  });
});
