import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloneJson, jsonEqual, stableJson } from './json.js';

describe('stableJson', () => {
  it('sorts object keys at every depth and drops undefined members', () => {
    assert.equal(
      stableJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } }),
      '{"a":{"c":null,"d":[2,{"z":1}]},"b":1}',
    );
  });
  it('prints like JSON.stringify for what JSON.stringify prints stably', () => {
    for (const v of [null, 1, 'x"y', [1, 'a', null], { a: [1, 2] }, true])
      assert.equal(stableJson(v), JSON.stringify(v));
    assert.equal(stableJson([undefined]), JSON.stringify([undefined]));
  });
  it('a lone undefined prints null', () => assert.equal(stableJson(undefined), 'null'));
  it('jsonEqual ignores key order', () => {
    assert.equal(jsonEqual({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 }), true);
    assert.equal(jsonEqual({ a: [1, 2] }, { a: [2, 1] }), false);
  });
  it('compares JSON values whatever the key order', () => {
    assert.ok(jsonEqual({ a: 1, b: [1, { c: 'x', d: null }] }, { b: [1, { d: null, c: 'x' }], a: 1 }));
    assert.ok(jsonEqual({ a: 1, u: undefined }, { a: 1 }));
    assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!jsonEqual([1, 2], [2, 1]));
    assert.ok(!jsonEqual({ a: [] }, { a: {} }));
    assert.ok(!jsonEqual({ a: '1' }, { a: 1 }));
  });
  it('cloneJson copies every level', () => {
    const v = { a: [1, { b: 'x' }], c: null };
    const c = cloneJson(v);
    assert.deepEqual(c, v);
    assert.notEqual(c.a, v.a);
    assert.notEqual(c.a[1], v.a[1]);
  });
});
