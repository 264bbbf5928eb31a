import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { definition, schemaBundle } from './bundle.js';
import { buildDocument } from './document.js';
import { schemaLookup } from './index.js';

function at(node: SchemaNode | undefined, ...path: string[]): SchemaNode {
  let n = node;
  for (const p of path) n = p === '[]' ? n?.items() : n?.field(p);
  assert.ok(n, `no schema at ${path.join('.')}`);
  return n;
}

test('the newer kinds carry upstream definition names', () => {
  const byKind = schemaBundle().byKind;
  assert.equal(
    byKind.get('apiregistration.k8s.io/v1/APIService'),
    'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService',
  );
  assert.equal(byKind.get('rbac.authorization.k8s.io/v1/ClusterRoleBinding'), 'io.k8s.api.rbac.v1.ClusterRoleBinding');
  assert.equal(byKind.get('/v1/PersistentVolume'), 'io.k8s.api.core.v1.PersistentVolume');
  // Core types reached first from another group stay core/v1.
  const terms = definition('io.k8s.api.storage.v1.StorageClass')?.properties?.['allowedTopologies'];
  assert.equal(JSON.stringify(terms).includes('io.k8s.api.core.v1.TopologySelectorTerm'), true);
  assert.equal(definition('io.k8s.api.storage.v1.TopologySelectorTerm'), undefined);
});

test('quantities, atomic lists and merge keys of the newer kinds', () => {
  const quota = schemaLookup('', 'v1', 'ResourceQuota');
  assert.equal(at(quota, 'spec', 'hard').items()?.definition, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  const pv = schemaLookup('', 'v1', 'PersistentVolume');
  assert.equal(at(pv, 'spec', 'capacity').items()?.definition, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
  const role = schemaLookup('rbac.authorization.k8s.io', 'v1', 'Role');
  assert.equal(at(role, 'rules').listType, 'atomic');
  assert.equal(at(role, 'rules', '[]', 'verbs').listType, 'atomic');
  const sts = schemaLookup('apps', 'v1', 'StatefulSet');
  assert.equal(at(sts, 'spec', 'volumeClaimTemplates').listType, 'atomic');
  assert.equal(at(sts, 'status', 'conditions').patchMergeKey, 'type');
  const ing = schemaLookup('networking.k8s.io', 'v1', 'Ingress');
  assert.equal(at(ing, 'spec', 'rules').listType, 'atomic');
  assert.ok(at(schemaLookup('certificates.k8s.io', 'v1', 'CertificateSigningRequest'), 'spec', 'request'));
});

test('the approval and scale paths are documented', () => {
  const csrPaths = Object.keys(buildDocument('apis/certificates.k8s.io/v1')?.paths ?? {});
  assert.ok(
    csrPaths.includes('/apis/certificates.k8s.io/v1/certificatesigningrequests/{name}/approval'),
    csrPaths.join('\n'),
  );
  const corePaths = Object.keys(buildDocument('api/v1')?.paths ?? {});
  assert.ok(corePaths.includes('/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale'));
});
