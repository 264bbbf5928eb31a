import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Taint, Toleration } from '../types.js';
import { isTolerated, sameTaint, toleratesTaint, untoleratedTaints } from './taints.js';

const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('toleratesTaint (upstream v1.Toleration.ToleratesTaint)', () => {
  const cases: Array<[string, Toleration, boolean]> = [
    [
      'Equal with the same key, value and effect',
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      true,
    ],
    ['empty operator means Equal', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu' }, false],
    ['Exists ignores the value', { key: 'dedicated', operator: 'Exists', value: 'other' }, true],
    ['empty key with Exists tolerates every key', { operator: 'Exists' }, true],
    ['empty effect matches every effect', { key: 'dedicated', operator: 'Exists' }, true],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['another key', { key: 'other', operator: 'Exists' }, false],
    ['an unknown operator tolerates nothing', { key: 'dedicated', operator: 'Bogus', value: 'gpu' }, false],
    ['empty key with Equal and empty value does not match a keyed taint value', { operator: 'Equal' }, false],
  ];
  for (const [name, t, want] of cases) it(name, () => assert.equal(toleratesTaint(t, taint), want));
});

describe('taint sets', () => {
  const taints: Taint[] = [
    taint,
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    { key: 'soft', effect: 'PreferNoSchedule' },
  ];
  it('isTolerated needs one matching toleration', () => {
    assert.equal(isTolerated(undefined, taint), false);
    assert.equal(
      isTolerated(
        [
          { key: 'x', operator: 'Exists' },
          { key: 'dedicated', operator: 'Exists' },
        ],
        taint,
      ),
      true,
    );
  });
  it('untoleratedTaints filters by effect', () => {
    const tol: Toleration[] = [{ key: 'dedicated', operator: 'Exists' }];
    assert.deepEqual(
      untoleratedTaints(taints, tol, ['NoSchedule', 'NoExecute']).map((t) => t.key),
      ['node.kubernetes.io/unreachable'],
    );
    assert.deepEqual(
      untoleratedTaints(taints, tol).map((t) => t.key),
      ['node.kubernetes.io/unreachable', 'soft'],
    );
  });
  it('sameTaint compares key and effect only', () => {
    assert.equal(sameTaint(taint, { key: 'dedicated', value: 'other', effect: 'NoSchedule' }), true);
    assert.equal(sameTaint(taint, { key: 'dedicated', effect: 'NoExecute' }), false);
  });
});
