import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { openapiV2Body, openapiV2Document } from './v2.js';
import { DocumentMessage } from './v2-proto.js';

describe('OpenAPI v2', () => {
  const doc = openapiV2Document();
  it('has every definition with #/definitions/ references', () => {
    const deploy = doc.definitions['io.k8s.api.apps.v1.Deployment']!;
    assert.deepEqual(deploy['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const props = deploy.properties as Record<string, Record<string, unknown>>;
    assert.equal(props.spec!.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
    assert.ok(!JSON.stringify(doc).includes('#/components/schemas/'));
  });
  it('has the PATCH operation of each kind with its fieldValidation parameter and body', () => {
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']!.patch!;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.equal(patch.parameters?.[0]?.in, 'body');
    assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods']!.get!.operationId, 'listCoreV1NamespacedPod');
  });
  it('encodes as gnostic protobuf that decodes back', async () => {
    const b = await openapiV2Body('application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    assert.equal(b.contentType, 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf');
    const back = DocumentMessage.toObject(DocumentMessage.decode(b.body)) as {
      swagger: string;
      paths: {
        path: { name: string; value: { patch?: { vendorExtension: { name: string; value: { yaml: string } }[] } } }[];
      };
      definitions: { additionalProperties: { name: string; value: { type?: { value: string[] } } }[] };
    };
    assert.equal(back.swagger, '2.0');
    const item = back.paths.path.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
    const gvk = item?.value.patch?.vendorExtension.find((e) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(parse(gvk!.value.yaml), { group: 'apps', version: 'v1', kind: 'Deployment' });
    const pod = back.definitions.additionalProperties.find((d) => d.name === 'io.k8s.api.core.v1.Pod');
    assert.deepEqual(pod?.value.type?.value, ['object']);
    const json = await openapiV2Body('application/json');
    assert.equal(JSON.parse(json.body.toString()).swagger, '2.0');
  });
});
