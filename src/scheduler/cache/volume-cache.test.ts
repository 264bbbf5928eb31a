import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from '../../core/types.js';
import { VolumeCache } from './volume-cache.js';

const pv = (
  name: string,
  rv: string,
  cls = 'fast',
  claimRef?: { name: string; namespace: string },
): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, resourceVersion: rv },
  spec: { storageClassName: cls, capacity: { storage: '1Gi' }, claimRef },
});
const pvc = (name: string, rv: string, volumeName?: string): PersistentVolumeClaim => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: {
    name,
    namespace: 'ns',
    resourceVersion: rv,
    annotations: volumeName ? { 'pv.kubernetes.io/bind-completed': 'yes' } : {},
  },
  spec: { volumeName },
});
const names = (c: VolumeCache, cls: string) => c.volumesOfClass(cls).map((v) => v.metadata.name);
const claimOf = (c: VolumeCache, name: string) => c.volume(name)?.spec?.claimRef?.name;

test('volumes are listed by class, and move when their class changes', () => {
  const c = new VolumeCache();
  c.setVolume(pv('a', '1'));
  c.setVolume(pv('b', '1', 'slow'));
  assert.deepEqual(names(c, 'fast'), ['a']);
  c.setVolume(pv('a', '2', 'slow'));
  assert.deepEqual(names(c, 'fast'), []);
  assert.deepEqual(names(c, 'slow').sort(), ['a', 'b']);
  c.removeVolume(pv('b', '1', 'slow'));
  assert.deepEqual(names(c, 'slow'), ['a']);
});

test('an assumed volume holds until a newer version arrives, the claim binds, or it is restored', () => {
  const c = new VolumeCache();
  c.setVolume(pv('a', '1'));
  c.setClaim(pvc('x', '1'));
  c.assumeVolume(pv('a', '1', 'fast', { name: 'x', namespace: 'ns' }));
  assert.equal(claimOf(c, 'a'), 'x');
  assert.equal(c.volumesOfClass('fast')[0]?.spec?.claimRef?.name, 'x');
  // The same version again (a relist): still assumed. A newer one (the PV controller wrote it): informed wins.
  c.setVolume(pv('a', '1'));
  assert.equal(claimOf(c, 'a'), 'x');
  c.setVolume(pv('a', '2'));
  assert.equal(claimOf(c, 'a'), undefined);
  // The claim bound to another volume: the assumption is dropped.
  c.assumeVolume(pv('a', '2', 'fast', { name: 'x', namespace: 'ns' }));
  c.setClaim(pvc('x', '2', 'other'));
  assert.equal(claimOf(c, 'a'), undefined);
  assert.deepEqual(c.assumed, { volumes: 0, claims: 0 });
  // Restored by hand (a failed bind); a volume the informers never saw cannot be assumed.
  c.assumeVolume(pv('a', '2', 'fast', { name: 'y', namespace: 'ns' }));
  c.restoreVolume('a');
  assert.equal(claimOf(c, 'a'), undefined);
  c.assumeVolume(pv('ghost', '1'));
  assert.equal(c.volume('ghost'), undefined);
});

test('an assumed claim holds until the claim changes or goes', () => {
  const c = new VolumeCache();
  c.setClaim(pvc('x', '1'));
  const placed = pvc('x', '1');
  placed.metadata.annotations = { 'volume.kubernetes.io/selected-node': 'n1' };
  c.assumeClaim(placed);
  assert.equal(c.claim('ns', 'x')?.metadata.annotations?.['volume.kubernetes.io/selected-node'], 'n1');
  c.setClaim(pvc('x', '2'));
  assert.equal(c.claim('ns', 'x')?.metadata.annotations?.['volume.kubernetes.io/selected-node'], undefined);
  c.assumeClaim(placed);
  c.removeClaim(pvc('x', '2'));
  assert.equal(c.claim('ns', 'x'), undefined);
});
