import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { groupVersions } from '../catalog.js';
import { openapiV3Document, openapiV3Index } from './index.js';
import type { OpenAPIDocument } from './document.js';

function doc(path: string): OpenAPIDocument {
  const d = openapiV3Document(path);
  assert.ok(d, `document ${path}`);
  return JSON.parse(d.body) as OpenAPIDocument;
}

test('the index lists every group-version of the catalog plus api and apis, with content hashes', () => {
  const index = openapiV3Index();
  const expected = ['api', 'apis'];
  for (const { group, versions } of groupVersions()) {
    if (group !== '') expected.push(`apis/${group}`);
    for (const v of versions) expected.push(group === '' ? `api/${v}` : `apis/${group}/${v}`);
  }
  assert.deepEqual(Object.keys(index.paths).sort(), expected.sort());
  const entry = index.paths['apis/apps/v1'];
  assert.ok(entry);
  const served = openapiV3Document('apis/apps/v1');
  assert.ok(served);
  const hash = createHash('sha512').update(served.body).digest('hex').toUpperCase();
  assert.equal(served.hash, hash);
  assert.equal(entry.serverRelativeURL, `/openapi/v3/apis/apps/v1?hash=${hash}`);
});

test('apps/v1 carries Deployment with its GVK and a PATCH operation kubectl accepts', () => {
  const d = doc('apis/apps/v1');
  assert.equal(d.openapi, '3.0.0');
  const deployment = d.components.schemas['io.k8s.api.apps.v1.Deployment'];
  assert.ok(deployment);
  assert.deepEqual(deployment['x-kubernetes-group-version-kind'], [
    { group: 'apps', version: 'v1', kind: 'Deployment' },
  ]);
  const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  const patch = item?.patch;
  assert.ok(patch);
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.deepEqual(
    patch.parameters?.map((p) => p.name),
    ['dryRun', 'fieldManager', 'fieldValidation', 'force'],
  );
  assert.deepEqual(Object.keys(patch.requestBody?.content ?? {}).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.deepEqual(
    item.parameters?.map((p) => p.name),
    ['name', 'namespace', 'pretty'],
  );
  const scale = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.patch;
  assert.deepEqual(scale?.['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(d.paths['/apis/apps/v1/deployments']?.get, 'list across namespaces');
});

test('every $ref of every document resolves inside its own components', () => {
  for (const path of Object.keys(openapiV3Index().paths)) {
    const text = openapiV3Document(path)?.body ?? '';
    const d = JSON.parse(text) as OpenAPIDocument;
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      assert.ok(d.components.schemas[m[1]!], `${path}: dangling $ref ${m[1]}`);
    }
  }
});

test('core/v1 has cluster-scoped Node paths and namespaced Pod subresources', () => {
  const d = doc('api/v1');
  assert.ok(d.paths['/api/v1/nodes/{name}']?.patch);
  assert.equal(d.paths['/api/v1/namespaces/{namespace}/nodes/{name}'], undefined);
  const eviction = d.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']?.post;
  assert.deepEqual(eviction?.['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
  assert.ok(d.components.schemas['io.k8s.api.policy.v1.Eviction']);
  const pod = d.components.schemas['io.k8s.api.core.v1.Pod'];
  assert.match(pod?.description ?? '', /collection of containers/);
});

test('unknown document paths are undefined', () => {
  assert.equal(openapiV3Document('apis/apps/v9'), undefined);
  assert.equal(openapiV3Document('apis/nope'), undefined);
  assert.equal(openapiV3Document('version'), undefined);
});
