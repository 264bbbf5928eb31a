import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigMap, corev1, PersistentVolumeClaim } from '../../core/types.js';
import { testPod } from './testing.js';
import { containerMounts, PodVolumesNotReady, prepareVolumes, type VolumeSource } from './volumes.js';

const facts = { hostIP: '192.168.1.10', podIP: '', allocatableCpuMillis: 2000, allocatableMemoryBytes: 4 << 30 };

function source(state: {
  cms?: Record<string, Record<string, string>>;
  pvcs?: PersistentVolumeClaim[];
  pvs?: corev1.PersistentVolume[];
}): VolumeSource {
  return {
    configMap: async (_ns, name): Promise<ConfigMap | undefined> =>
      state.cms?.[name] ? { metadata: { name }, data: state.cms[name] } : undefined,
    secret: async () => undefined,
    persistentVolumeClaim: async (_ns, name) => state.pvcs?.find((p) => p.metadata.name === name),
    persistentVolume: async (name) => state.pvs?.find((p) => p.metadata?.name === name),
  };
}

test('a pod whose claim is missing gets no volume at all, not an empty directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-vol-'));
  try {
    const pod = testPod([{ name: 'a' }], {
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'data', persistentVolumeClaim: { claimName: 'missing' } },
      ],
    });
    await assert.rejects(prepareVolumes(pod, dir, source({}), facts), (err: unknown) => {
      assert.ok(err instanceof PodVolumesNotReady);
      assert.deepEqual(
        err.volumes.map((v) => v.volume),
        ['data'],
      );
      return true;
    });
    assert.throws(() => statSync(join(dir, 'volumes')), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bound claim mounts its hostPath volume, read-only when the pod says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-vol-'));
  try {
    const pvPath = join(dir, 'pv');
    const pod = testPod([{ name: 'a', volumeMounts: [{ name: 'data', mountPath: '/data' }] }], {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c', readOnly: true } }],
    });
    const paths = await prepareVolumes(
      pod,
      dir,
      source({
        pvcs: [{ metadata: { name: 'c', uid: 'u1' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } }],
        pvs: [
          {
            metadata: { name: 'pv1' },
            spec: { hostPath: { path: pvPath, type: 'DirectoryOrCreate' }, claimRef: { uid: 'u1' } },
          },
        ],
      }),
      facts,
    );
    assert.equal(paths.get('data'), pvPath);
    assert.ok(statSync(pvPath).isDirectory());
    assert.deepEqual(containerMounts(pod.spec.containers[0]!, pod, paths), [
      { containerPath: '/data', hostPath: pvPath, readonly: true },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a refresh rewrites configMap volumes in place; a subPath mount binds the file of its version', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-vol-'));
  try {
    const pod = testPod(
      [
        {
          name: 'a',
          volumeMounts: [
            { name: 'cfg', mountPath: '/cfg' },
            { name: 'cfg', mountPath: '/one', subPath: 'k' },
          ],
        },
      ],
      {
        volumes: [
          { name: 'cfg', configMap: { name: 'cm' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
    );
    const state = { cms: { cm: { k: 'v1' } } };
    const paths = await prepareVolumes(pod, dir, source(state), facts);
    const volDir = paths.get('cfg')!;
    const ino = statSync(volDir).ino;
    const [whole, sub] = containerMounts(pod.spec.containers[0]!, pod, paths);
    assert.equal(whole!.hostPath, volDir);
    assert.equal(sub!.hostPath, realpathSync(join(volDir, 'k')));
    assert.match(sub!.hostPath, /\/\.\.\d{4}_[^/]+\/k$/);

    state.cms.cm = { k: 'v2' };
    const again = await prepareVolumes(pod, dir, source(state), facts, { refreshOnly: true });
    assert.deepEqual([...again.keys()], ['cfg']);
    assert.equal(statSync(volDir).ino, ino);
    assert.equal(readFileSync(join(volDir, 'k'), 'utf8'), 'v2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
