import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorFromMap, type Pod, type ReplicationController } from '../../core/index.js';
import { claimObjects } from '../shared/ownership.js';
import { podFromTemplate } from './controller.js';

const rc: ReplicationController = {
  metadata: { name: 'nginx', namespace: 'default', uid: 'rc-uid' },
  spec: {
    replicas: 2,
    selector: { app: 'nginx' },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
  },
};

test('pods from the template: generateName, a v1 ReplicationController controller ref, labels copied', () => {
  const p = podFromTemplate(rc);
  assert.equal(p.metadata.generateName, 'nginx-');
  assert.deepEqual(p.metadata.ownerReferences, [
    {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      name: 'nginx',
      uid: 'rc-uid',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(p.metadata.labels, { app: 'nginx' });
  assert.deepEqual(p.spec, { containers: [{ name: 'nginx', image: 'nginx' }] });
});

test('the map selector claims matching orphans and leaves other pods alone', () => {
  const orphan: Pod = { metadata: { name: 'a', labels: { app: 'nginx', extra: 'x' } } };
  const other: Pod = { metadata: { name: 'b', labels: { app: 'redis' } } };
  const claim = claimObjects(rc, labelSelectorFromMap(rc.spec?.selector), [orphan, other]);
  assert.deepEqual(claim.adopt, [orphan]);
  assert.deepEqual(claim.owned, []);
});
