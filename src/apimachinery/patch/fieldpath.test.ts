import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldSet, fieldPE, keyPE, pathToString, valuePE } from './fieldpath.js';
import { deployment, deploymentSchema } from './fixture-schemas.js';
import { toFieldSet } from './typed.js';

test('FieldsV1 round-trips, with "." for members that also have children', () => {
  const json = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {} } } },
  };
  const set = FieldSet.fromFieldsV1(json);
  assert.ok(set.has([fieldPE('metadata'), fieldPE('labels')]));
  assert.ok(!set.has([fieldPE('metadata')]));
  assert.ok(set.has([fieldPE('spec'), fieldPE('containers'), keyPE({ name: 'c' }), fieldPE('image')]));
  assert.deepEqual(set.toFieldsV1(), json);
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:bad': {} }));
});

test('union, difference and intersection work path by path', () => {
  const a = FieldSet.of([fieldPE('spec'), fieldPE('replicas')], [fieldPE('spec'), fieldPE('paused')]);
  const b = FieldSet.of([fieldPE('spec'), fieldPE('replicas')], [fieldPE('metadata'), fieldPE('labels')]);
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(a.union(b).toFieldsV1(), {
    'f:metadata': { 'f:labels': {} },
    'f:spec': { 'f:paused': {}, 'f:replicas': {} },
  });
  assert.ok(a.difference(a).isEmpty());
});

test('paths print as upstream fieldpath strings', () => {
  assert.equal(
    pathToString([fieldPE('spec'), fieldPE('containers'), keyPE({ name: 'c' }), fieldPE('image')]),
    '.spec.containers[name="c"].image',
  );
  assert.equal(
    pathToString([fieldPE('ports'), keyPE({ protocol: 'TCP', containerPort: 80 })]),
    '.ports[containerPort=80,protocol="TCP"]',
  );
  assert.equal(pathToString([fieldPE('finalizers'), valuePE('x')]), '.finalizers[="x"]');
});

test('an applied Deployment has the field set kubectl apply --server-side records', () => {
  const set = toFieldSet(deployment(), deploymentSchema);
  assert.deepEqual(set.toFieldsV1(), {
    'f:apiVersion': {},
    'f:kind': {},
    'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {}, 'f:namespace': {} },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:name': {},
              'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  });
});

test('intersects and isSubsetOf agree with intersection and difference on random sets', () => {
  // A small seeded generator: the same sets every run.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 16) % n;
  };
  const names = ['a', 'b', 'c', 'd'];
  const randomSet = () => {
    const set = new FieldSet();
    const count = rand(6);
    for (let i = 0; i < count; i++) {
      const path = Array.from({ length: 1 + rand(3) }, () => fieldPE(names[rand(names.length)]!));
      set.insert(path);
    }
    return set;
  };
  let both = 0;
  let subsets = 0;
  for (let i = 0; i < 5000; i++) {
    const a = randomSet();
    const b = rand(4) === 0 ? a.union(randomSet()) : randomSet();
    assert.equal(a.intersects(b), !a.intersection(b).isEmpty(), `${a.paths().join()} / ${b.paths().join()}`);
    assert.equal(a.isSubsetOf(b), a.difference(b).isEmpty(), `${a.paths().join()} / ${b.paths().join()}`);
    if (a.intersects(b)) both++;
    if (a.isSubsetOf(b)) subsets++;
  }
  // Both answers come up often enough for the comparison to mean something.
  assert.ok(both > 500 && both < 4500, `intersecting pairs: ${both}`);
  assert.ok(subsets > 500 && subsets < 4500, `subset pairs: ${subsets}`);
});
