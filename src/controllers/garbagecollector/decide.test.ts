import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OwnerReference } from '../../core/types.js';
import { attemptToDelete, finalizeOwner, type OwnerState } from './decide.js';
import { type GraphNode, OwnerGraph } from './graph.js';
import { gcResources, resourceForRef } from './resources.js';

const rsResource = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };

function ref(uid: string, block = true): OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: `o-${uid}`,
    uid,
    controller: true,
    blockOwnerDeletion: block,
  };
}

function node(
  uid: string,
  owners: OwnerReference[] = [],
  o: { deleting?: boolean; finalizers?: string[] } = {},
): GraphNode {
  return {
    uid,
    resource: rsResource,
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    namespace: 'default',
    name: `n-${uid}`,
    owners,
    deleting: o.deleting ?? false,
    finalizers: o.finalizers ?? [],
  };
}

const states = (entries: [string, OwnerState][]) => new Map(entries);

test('graph: dependents by owner uid follow upserts and removals', () => {
  const g = new OwnerGraph();
  g.upsert(node('owner'));
  g.upsert(node('a', [ref('owner')]));
  g.upsert(node('b', [ref('owner'), ref('other')]));
  assert.deepEqual(
    g
      .dependents('owner')
      .map((n) => n.uid)
      .sort(),
    ['a', 'b'],
  );
  g.upsert(node('b', [ref('other')]));
  assert.deepEqual(
    g.dependents('owner').map((n) => n.uid),
    ['a'],
  );
  g.remove('a');
  assert.deepEqual(g.dependents('owner'), []);
  assert.deepEqual(
    g.dependents('other').map((n) => n.uid),
    ['b'],
  );
});

test('an object whose owners are all gone is deleted in the background', () => {
  const item = node('x', [ref('gone1'), ref('gone2')]);
  assert.deepEqual(
    attemptToDelete(
      item,
      states([
        ['gone1', 'dangling'],
        ['gone2', 'dangling'],
      ]),
      false,
    ),
    {
      kind: 'delete',
      policy: 'Background',
    },
  );
});

test('one live owner keeps the object; references to the gone owners are dropped', () => {
  const item = node('x', [ref('alive'), ref('gone'), ref('fg')]);
  assert.deepEqual(
    attemptToDelete(
      item,
      states([
        ['alive', 'solid'],
        ['gone', 'dangling'],
        ['fg', 'waiting'],
      ]),
      false,
    ),
    {
      kind: 'removeOwnerRefs',
      uids: ['gone', 'fg'],
    },
  );
  assert.deepEqual(attemptToDelete(node('y', [ref('alive')]), states([['alive', 'solid']]), false), { kind: 'none' });
});

test('an owner deleting in the foreground makes dependents with dependents go in the foreground too', () => {
  const item = node('rs', [ref('deploy')]);
  assert.deepEqual(attemptToDelete(item, states([['deploy', 'waiting']]), true), {
    kind: 'delete',
    policy: 'Foreground',
  });
  assert.deepEqual(attemptToDelete(item, states([['deploy', 'waiting']]), false), {
    kind: 'delete',
    policy: 'Background',
  });
});

test('objects already being deleted or without owners are left alone', () => {
  assert.deepEqual(attemptToDelete(node('x'), states([]), false), { kind: 'none' });
  assert.deepEqual(attemptToDelete(node('x', [ref('g')], { deleting: true }), states([['g', 'dangling']]), false), {
    kind: 'none',
  });
});

test('foreground owner: waits while a blocking dependent exists, then drops its finalizer', () => {
  const owner = node('d', [], { deleting: true, finalizers: ['foregroundDeletion'] });
  const blocking = node('rs', [ref('d', true)]);
  const loose = node('cm', [ref('d', false)]);
  assert.deepEqual(finalizeOwner(owner, [blocking, loose]), {
    kind: 'deleteDependents',
    dependents: [blocking, loose],
  });
  const goingAway = node('rs', [ref('d', true)], { deleting: true });
  assert.deepEqual(finalizeOwner(owner, [goingAway]), { kind: 'deleteDependents', dependents: [] }, 'still waits');
  assert.deepEqual(finalizeOwner(owner, [loose]), { kind: 'removeFinalizer', finalizer: 'foregroundDeletion' });
  assert.deepEqual(finalizeOwner(owner, []), { kind: 'removeFinalizer', finalizer: 'foregroundDeletion' });
});

test('orphan owner: strips its references from dependents, then drops its finalizer', () => {
  const owner = node('d', [], { deleting: true, finalizers: ['orphan'] });
  const dep = node('rs', [ref('d')]);
  assert.deepEqual(finalizeOwner(owner, [dep]), { kind: 'orphanDependents', dependents: [dep] });
  assert.deepEqual(finalizeOwner(owner, []), { kind: 'removeFinalizer', finalizer: 'orphan' });
  assert.deepEqual(finalizeOwner(node('live'), [dep]), { kind: 'none' });
});

test('watched resources cover owners and dependents; refs map to resources', () => {
  const names = gcResources().map((r) => r.resource);
  for (const r of [
    'pods',
    'replicasets',
    'deployments',
    'daemonsets',
    'jobs',
    'controllerrevisions',
    'endpointslices',
    'configmaps',
    'secrets',
    'services',
    'nodes',
    'leases',
  ]) {
    assert.ok(names.includes(r), r);
  }
  assert.ok(!names.includes('events'));
  assert.equal(new Set(names).size, names.length, 'one informer per resource');
  assert.equal(resourceForRef('apps/v1', 'Deployment')?.resource, 'deployments');
  assert.equal(resourceForRef('v1', 'Node')?.namespaced, false);
  assert.equal(
    resourceForRef('apps/v1beta2', 'ReplicaSet')?.version,
    'v1',
    'other versions fall back to the served one',
  );
  assert.equal(resourceForRef('example.com/v1', 'Widget'), undefined);
});
