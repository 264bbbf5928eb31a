import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.js';
import { parseLabelSelector } from './label-parser.js';
import {
  everything,
  formatLabelSelector,
  formatLabels,
  labelSelectorFromMap,
  labelSelectorFromObject,
  newRequirement,
  nothing,
} from './label-selector.js';

describe('labelSelectorFromObject', () => {
  it('follows LabelSelectorAsSelector for nil and empty selectors', () => {
    assert.equal(labelSelectorFromObject(undefined).matches({ a: 'b' }), false);
    assert.equal(labelSelectorFromObject(null).matchesNothing(), true);
    assert.equal(labelSelectorFromObject({}).empty(), true);
    assert.equal(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({}), true);
  });

  it('combines matchLabels and matchExpressions, sorted by key', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { z: '1', app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'be'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'owner', operator: 'Exists' },
      ],
    });
    assert.equal(sel.toString(), 'app=web,!canary,env notin (prod),owner,tier in (be,fe),z=1');
    assert.equal(sel.matches({ app: 'web', z: '1', tier: 'be', owner: 'me' }), true);
    assert.equal(sel.matches({ app: 'web', z: '1', tier: 'be' }), false);
    assert.equal(sel.requiresExactMatch('app'), 'web');
    assert.equal(sel.requiresExactMatch('tier'), undefined);
  });

  it('rejects bad operators, keys and value counts with 400', () => {
    assert.throws(
      () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }),
      (e: unknown) =>
        e instanceof StatusError && e.code === 400 && e.message === '"Equals" is not a valid label selector operator',
    );
    assert.throws(
      () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
      (e: unknown) =>
        e instanceof StatusError &&
        e.message === "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    );
    assert.throws(
      () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }),
      /values set must be empty for exists and does not exist/,
    );
    assert.throws(() => labelSelectorFromObject({ matchLabels: { 'a/b/c': 'x' } }), /a qualified name must consist/);
    assert.throws(() => labelSelectorFromObject({ matchLabels: { '/a': 'x' } }), /prefix part must be non-empty/);
    assert.throws(
      () => labelSelectorFromObject({ matchLabels: { a: 'x'.repeat(64) } }),
      /must be no more than 63 characters/,
    );
  });

  it('aggregates several errors like upstream', () => {
    assert.throws(
      () => newRequirement('-a', 'in', []),
      (e: unknown) =>
        e instanceof StatusError &&
        e.message.startsWith('[key: Invalid value: "-a": name part') &&
        e.message.endsWith(']'),
    );
  });
});

describe('selector helpers', () => {
  it('labelSelectorFromMap requires every pair', () => {
    const sel = labelSelectorFromMap({ b: '2', a: '1' });
    assert.equal(sel.toString(), 'a=1,b=2');
    assert.equal(sel.matches({ a: '1', b: '2', c: '3' }), true);
    assert.equal(sel.matches({ a: '1' }), false);
    assert.equal(labelSelectorFromMap(undefined).empty(), true);
  });

  it('everything and nothing', () => {
    assert.equal(everything().matches({}), true);
    assert.equal(everything().toString(), '');
    assert.equal(nothing().matches({}), false);
    assert.equal(nothing().empty(), false);
    assert.equal(
      nothing()
        .add(newRequirement('a', 'exists', []))
        .matches({ a: '' }),
      false,
    );
    assert.equal(
      everything()
        .add(newRequirement('a', 'exists', []))
        .toString(),
      'a',
    );
  });

  it('formats like kubectl', () => {
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(formatLabelSelector({ matchLabels: { app: 'x' } }), 'app=x');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
  });
});

describe('compiled requirements', () => {
  it('match as upstream for sets, integers beyond 15 digits and prototype-named keys', () => {
    const sel = labelSelectorFromObject({
      matchExpressions: [
        { key: 'zone', operator: 'In', values: ['a', 'b', 'c'] },
        { key: 'tier', operator: 'NotIn', values: ['db'] },
      ],
    });
    assert.equal(sel.matches({ zone: 'b' }), true);
    assert.equal(sel.matches({ zone: 'b', tier: 'db' }), false);
    assert.equal(sel.matches({ zone: 'd' }), false);
    const big = parseLabelSelector('gen>9007199254740993');
    assert.equal(big.matches({ gen: '9007199254740994' }), true);
    assert.equal(big.matches({ gen: '9007199254740993' }), false);
    assert.equal(parseLabelSelector('gen<10').matches({ gen: '+9' }), true);
    assert.equal(parseLabelSelector('constructor').matches({}), false);
    assert.equal(parseLabelSelector('!constructor').matches({}), true);
    assert.equal(parseLabelSelector('constructor=x').matches({}), false);
  });
});
