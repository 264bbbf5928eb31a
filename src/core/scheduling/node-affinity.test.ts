import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, NodeSelectorTerm, PodSpec } from '../types.js';
import {
  compileNodeSelectorTerm,
  compileNodeSelectorTerms,
  podFitsNodePlacement,
  requiredNodeMatcher,
} from './node-affinity.js';

const labels = { zone: 'a', 'example.com/gen': '5', disk: 'ssd' };

function term(t: NodeSelectorTerm): boolean {
  return compileNodeSelectorTerm(t)('node-1', labels);
}

describe('node selector terms (upstream nodeaffinity)', () => {
  it('label operators', () => {
    assert.equal(term({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), true);
    assert.equal(term({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), false);
    assert.equal(term({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['a'] }] }), true);
    assert.equal(term({ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }), true);
    assert.equal(term({ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }), false);
    assert.equal(term({ matchExpressions: [{ key: 'example.com/gen', operator: 'Gt', values: ['4'] }] }), true);
    assert.equal(term({ matchExpressions: [{ key: 'example.com/gen', operator: 'Lt', values: ['5'] }] }), false);
  });
  it('all requirements of a term must hold', () => {
    assert.equal(
      term({
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a'] },
          { key: 'disk', operator: 'In', values: ['hdd'] },
        ],
      }),
      false,
    );
  });
  it('an empty term, an invalid requirement or an unknown operator match nothing', () => {
    assert.equal(term({}), false);
    assert.equal(term({ matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] }), false);
    assert.equal(term({ matchExpressions: [{ key: 'example.com/gen', operator: 'Gt', values: ['x'] }] }), false);
    assert.equal(term({ matchExpressions: [{ key: 'zone', operator: 'Near', values: ['a'] }] }), false);
    assert.equal(term({ matchExpressions: [{ key: 'bad key!', operator: 'Exists' }] }), false);
  });
  it('matchFields: metadata.name with In/NotIn and exactly one value', () => {
    assert.equal(term({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }), true);
    assert.equal(term({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-1'] }] }), false);
    assert.equal(
      term({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1', 'node-2'] }] }),
      false,
    );
    assert.equal(term({ matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }), false);
  });
  it('terms are ORed; no terms match nothing', () => {
    const m = compileNodeSelectorTerms([
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
      { matchExpressions: [{ key: 'disk', operator: 'Exists' }] },
    ]);
    assert.equal(m('node-1', labels), true);
    assert.equal(compileNodeSelectorTerms([])('node-1', labels), false);
  });
});

describe('required placement of a pod', () => {
  const node: Node = { metadata: { name: 'node-1', labels } };
  it('no selector and no affinity: every node', () => {
    assert.equal(requiredNodeMatcher({ containers: [] }), undefined);
    assert.equal(podFitsNodePlacement({ containers: [] }, node), true);
  });
  it('nodeSelector AND required affinity', () => {
    const spec: PodSpec = {
      containers: [],
      nodeSelector: { zone: 'a' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }],
          },
        },
      },
    };
    assert.equal(podFitsNodePlacement(spec, node), false);
    assert.equal(podFitsNodePlacement({ ...spec, affinity: undefined }, node), true);
    assert.equal(podFitsNodePlacement({ containers: [], nodeSelector: { zone: 'b' } }, node), false);
  });
  it('spec.nodeName pins the node', () => {
    assert.equal(podFitsNodePlacement({ containers: [], nodeName: 'node-2' }, node), false);
    assert.equal(podFitsNodePlacement({ containers: [], nodeName: 'node-1' }, node), true);
  });
});
