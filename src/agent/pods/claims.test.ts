import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { corev1, PersistentVolumeClaim } from '../../core/types.js';
import { type ClaimSource, resolveClaim, unableToMountMessage, VolumeNotReadyError } from './claims.js';

function source(pvcs: PersistentVolumeClaim[], pvs: corev1.PersistentVolume[]): ClaimSource {
  return {
    persistentVolumeClaim: async (ns, name) =>
      pvcs.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    persistentVolume: async (name) => pvs.find((p) => p.metadata?.name === name),
  };
}

const claim = (phase: string, extra: Partial<PersistentVolumeClaim['metadata']> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'ns', uid: 'claim-uid', ...extra },
  spec: { volumeName: 'pv-1' },
  status: { phase },
});

const pv = (uid = 'claim-uid'): corev1.PersistentVolume => ({
  metadata: { name: 'pv-1' },
  spec: {
    hostPath: { path: '/srv/pv-1', type: 'DirectoryOrCreate' },
    claimRef: { uid, name: 'data', namespace: 'ns' },
  },
});

async function reason(src: ClaimSource): Promise<string> {
  try {
    await resolveClaim(src, 'ns', 'vol', { claimName: 'data' });
  } catch (err) {
    assert.ok(err instanceof VolumeNotReadyError);
    assert.equal(err.volume, 'vol');
    return err.message;
  }
  return 'resolved';
}

test('a claim that is missing, deleting, unbound or mismatched keeps the pod waiting, in upstream words', async () => {
  assert.equal(
    await reason(source([], [])),
    'error processing PVC ns/data: failed to fetch PVC from API server: persistentvolumeclaims "data" not found',
  );
  assert.equal(await reason(source([claim('Pending')], [])), 'error processing PVC ns/data: PVC is not bound');
  assert.equal(
    await reason(source([claim('Bound', { deletionTimestamp: '2026-01-01T00:00:00Z' })], [pv()])),
    'error processing PVC ns/data: PVC is being deleted',
  );
  assert.equal(
    await reason(source([claim('Bound')], [])),
    'error processing PVC ns/data: failed to fetch PV pv-1 from API server: persistentvolumes "pv-1" not found',
  );
  assert.match(
    await reason(source([claim('Bound')], [pv('other')])),
    /ClaimRef.UID other does not point to claim.UID claim-uid/,
  );
});

test('a bound claim resolves to its hostPath volume', async () => {
  const r = await resolveClaim(source([claim('Bound')], [pv()]), 'ns', 'vol', { claimName: 'data', readOnly: true });
  assert.deepEqual(r, { path: '/srv/pv-1', hostPathType: 'DirectoryOrCreate', readOnly: true });
});

test('the FailedMount event names the waiting volumes as the kubelet does', () => {
  const msg = unableToMountMessage([new VolumeNotReadyError('data', 'error processing PVC ns/data: PVC is not bound')]);
  assert.equal(
    msg,
    'Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[], failed to process volumes=[data]: error processing PVC ns/data: PVC is not bound',
  );
});
