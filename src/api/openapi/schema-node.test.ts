import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { CATALOG } from '../catalog.js';
import { schemaLookup } from './index.js';

function at(node: SchemaNode | undefined, ...path: string[]): SchemaNode {
  let n = node;
  for (const p of path) n = p === '[]' ? n?.items() : n?.field(p);
  assert.ok(n, `no schema at ${path.join('.')}`);
  return n;
}

test('every catalog kind and list kind has a schema', () => {
  for (const r of CATALOG) {
    assert.equal(schemaLookup(r.group, r.version, r.kind)?.type, 'object', `${r.group}/${r.version} ${r.kind}`);
    if (r.verbs.includes('list')) {
      assert.equal(at(schemaLookup(r.group, r.version, r.listKind), 'items').type, 'array');
    }
  }
  assert.equal(schemaLookup('apps', 'v1', 'Nope'), undefined);
});

test('Pod containers merge by name and container ports by containerPort+protocol', () => {
  const pod = schemaLookup('', 'v1', 'Pod');
  const containers = at(pod, 'spec', 'containers');
  assert.equal(containers.type, 'array');
  assert.equal(containers.patchStrategy, 'merge');
  assert.equal(containers.patchMergeKey, 'name');
  assert.equal(containers.listType, 'map');
  assert.deepEqual(containers.listMapKeys, ['name']);
  const ports = at(containers, '[]', 'ports');
  assert.equal(ports.patchMergeKey, 'containerPort');
  assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(at(pod, 'spec', 'volumes').patchStrategy, 'merge,retainKeys');
  assert.equal(at(pod, 'spec', 'tolerations').listType, 'atomic');
  assert.equal(at(containers, '[]', 'image').type, 'string');
  assert.ok(at(containers, '[]').fieldNames().includes('livenessProbe'));
});

test('ObjectMeta: ownerReferences keyed by uid, finalizers a set, labels a map', () => {
  const meta = at(schemaLookup('apps', 'v1', 'Deployment'), 'metadata');
  const owners = at(meta, 'ownerReferences');
  assert.equal(owners.patchMergeKey, 'uid');
  assert.deepEqual(owners.listMapKeys, ['uid']);
  assert.equal(at(meta, 'finalizers').listType, 'set');
  assert.equal(at(meta, 'labels').type, 'map');
  assert.equal(at(meta, 'labels', '[]').type, 'string');
  assert.equal(at(meta, 'creationTimestamp').type, 'string');
  assert.equal(at(meta, 'managedFields', '[]', 'fieldsV1').type, 'any');
});

test('int-or-string for IntOrString and Quantity, any for RawExtension, atomic selectors', () => {
  const deploy = schemaLookup('apps', 'v1', 'Deployment');
  assert.equal(at(deploy, 'spec', 'strategy', 'rollingUpdate', 'maxSurge').type, 'int-or-string');
  assert.equal(at(schemaLookup('', 'v1', 'Service'), 'spec', 'ports', '[]', 'targetPort').type, 'int-or-string');
  const limits = at(deploy, 'spec', 'template', 'spec', 'containers', '[]', 'resources', 'limits');
  assert.equal(limits.type, 'map');
  assert.equal(at(limits, '[]').type, 'int-or-string');
  assert.equal(at(schemaLookup('', 'v1', 'Node'), 'status', 'capacity', '[]').type, 'int-or-string');
  assert.equal(at(schemaLookup('apps', 'v1', 'ControllerRevision'), 'data').type, 'any');
  assert.equal(at(deploy, 'spec', 'selector').mapType, 'atomic');
  assert.equal(at(deploy, 'spec', 'replicas').type, 'integer');
  assert.equal(at(schemaLookup('', 'v1', 'Secret'), 'data', '[]').type, 'string');
});

test('autoscaling v1 and v2 HPAs and the two Event kinds are distinct schemas', () => {
  assert.ok(at(schemaLookup('autoscaling', 'v2', 'HorizontalPodAutoscaler'), 'spec', 'metrics'));
  assert.equal(
    schemaLookup('autoscaling', 'v1', 'HorizontalPodAutoscaler')?.field('spec')?.field('metrics'),
    undefined,
  );
  assert.ok(at(schemaLookup('', 'v1', 'Event'), 'involvedObject'));
  assert.ok(at(schemaLookup('events.k8s.io', 'v1', 'Event'), 'regarding'));
});
