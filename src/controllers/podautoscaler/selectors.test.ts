import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nothing, parseLabelSelector } from '../../core/selectors/index.js';
import type { Pod } from '../../core/types.js';
import { exactTerm, HpaSelectors, POD_LABEL_INDEX, podLabelIndex, selectPods } from './selectors.js';

const pod = (name: string, labels: Record<string, string>, namespace = 'ns'): Pod => ({
  metadata: { name, namespace, labels },
});

describe('HPA selectors', () => {
  it('files a selector under its first pinned label', () => {
    assert.equal(exactTerm(parseLabelSelector('tier in (a),app=web')), 'app=web');
    assert.equal(exactTerm(parseLabelSelector('app in (web),tier!=x')), 'app=web');
    assert.equal(exactTerm(parseLabelSelector('app,tier notin (a)')), undefined);
  });

  it('selects pods through the label index, or the namespace without a pinned label', () => {
    const pods = [
      pod('a', { app: 'web', tier: 'front' }),
      pod('b', { app: 'web' }),
      pod('c', { app: 'db' }),
      pod('d', { app: 'web' }, 'other'),
    ];
    const index = new Map<string, Pod[]>();
    for (const p of pods) {
      for (const v of podLabelIndex(p))
        index.set(`${POD_LABEL_INDEX}|${v}`, [...(index.get(`${POD_LABEL_INDEX}|${v}`) ?? []), p]);
      index.set(`ns|${p.metadata.namespace}`, [...(index.get(`ns|${p.metadata.namespace}`) ?? []), p]);
    }
    const byIndex = (i: string, v: string) => index.get(`${i}|${v}`) ?? [];
    const names = (sel: string) => selectPods(byIndex, 'ns', 'ns', parseLabelSelector(sel)).map((p) => p.metadata.name);
    assert.deepEqual(names('app=web'), ['a', 'b']);
    assert.deepEqual(names('app=web,tier=front'), ['a']);
    assert.deepEqual(names('tier'), ['a']);
    assert.deepEqual(names('app notin (db)'), ['a', 'b']);
  });

  it('finds every HPA whose selector picks one of the pods', () => {
    const s = new HpaSelectors();
    s.set('ns', 'ns/web', parseLabelSelector('app=web'));
    s.set('ns', 'ns/front', parseLabelSelector('tier=front'));
    s.set('ns', 'ns/any', parseLabelSelector('tier'));
    s.set('ns', 'ns/new', nothing());
    s.set('other', 'other/web', parseLabelSelector('app=web'));
    const hit = (labels: Record<string, string>) => [...s.controlling('ns', [pod('p', labels)])].sort();
    assert.deepEqual(hit({ app: 'web' }), ['ns/web']);
    assert.deepEqual(hit({ app: 'web', tier: 'front' }), ['ns/any', 'ns/front', 'ns/web']);
    assert.deepEqual(hit({ app: 'db', tier: 'back' }), ['ns/any']);
    s.set('ns', 'ns/web', parseLabelSelector('app=db'));
    assert.deepEqual(hit({ app: 'db' }), ['ns/web']);
    s.delete('ns/web');
    assert.deepEqual(hit({ app: 'db' }), []);
    assert.ok(s.has('ns/new'));
  });
});
