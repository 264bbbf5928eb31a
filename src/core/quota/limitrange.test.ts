import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LimitRange, PersistentVolumeClaim, Pod } from '../types.js';
import { applyLimitRangeDefaults, LIMIT_RANGER_ANNOTATION, limitRangeViolation } from './limitrange.js';

type Res = { requests?: Record<string, string>; limits?: Record<string, string> };

function pod(...containers: Res[]): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: containers.map((resources, i) => ({ name: `c${i}`, image: 'x', resources })) },
  };
}

function lr(...limits: NonNullable<LimitRange['spec']>['limits']): LimitRange {
  return { metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } };
}

test('Container defaults fill only what a container leaves out, and annotate the pod', () => {
  const p = pod({ requests: { cpu: '50m' } }, {});
  applyLimitRangeDefaults(
    [
      lr({
        type: 'Container',
        default: { cpu: '500m', memory: '256Mi' },
        defaultRequest: { cpu: '100m', memory: '128Mi' },
      }),
    ],
    p,
  );
  assert.deepEqual(p.spec!.containers[0]!.resources, {
    requests: { cpu: '50m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  });
  assert.deepEqual(p.spec!.containers[1]!.resources, {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  });
  assert.equal(
    p.metadata.annotations?.[LIMIT_RANGER_ANNOTATION],
    'LimitRanger plugin set: memory request for container c0; cpu, memory limit for container c0; cpu, memory request for container c1; cpu, memory limit for container c1',
  );
});

test('Pod items and LimitRanges without defaults change nothing', () => {
  const p = pod({});
  applyLimitRangeDefaults([lr({ type: 'Pod', max: { cpu: '2' } })], p);
  assert.deepEqual(p.spec!.containers[0]!.resources, {});
  assert.equal(p.metadata.annotations, undefined);
});

test('min, max and ratio per Container with upstream messages', () => {
  const item = lr({ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1', memory: '1Gi' } });
  assert.equal(
    limitRangeViolation([item], 'pods', pod({ requests: { cpu: '0.05' }, limits: { cpu: '1', memory: '1Gi' } })),
    'minimum cpu usage per Container is 100m, but request is 50m',
  );
  assert.equal(
    limitRangeViolation([item], 'pods', pod({ requests: { cpu: '200m' }, limits: { cpu: '1500m', memory: '512Mi' } })),
    'maximum cpu usage per Container is 1, but limit is 1500m',
  );
  assert.equal(
    limitRangeViolation([item], 'pods', pod({ requests: { cpu: '200m' }, limits: { cpu: '1' } })),
    'maximum memory usage per Container is 1Gi.  No limit is specified',
  );
  assert.equal(
    limitRangeViolation([item], 'pods', pod({ limits: { memory: '1Gi' } })),
    '[minimum cpu usage per Container is 100m.  No request is specified, maximum cpu usage per Container is 1.  No limit is specified]',
  );
  assert.equal(
    limitRangeViolation([item], 'pods', pod({ requests: { cpu: '200m' }, limits: { cpu: '1', memory: '1Gi' } })),
    undefined,
  );
  const ratio = lr({ type: 'Container', maxLimitRequestRatio: { cpu: '2' } });
  assert.equal(
    limitRangeViolation([ratio], 'pods', pod({ requests: { cpu: '100m' }, limits: { cpu: '300m' } })),
    'cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000',
  );
  assert.equal(
    limitRangeViolation([ratio], 'pods', pod({ limits: { cpu: '300m' } })),
    'cpu max limit to request ratio per Container is 2, but no request is specified or request is 0',
  );
  assert.equal(
    limitRangeViolation([ratio], 'pods', pod({ requests: { cpu: '100m' }, limits: { cpu: '200m' } })),
    undefined,
  );
});

test('Pod items hold the sum of the containers', () => {
  const item = lr({ type: 'Pod', max: { cpu: '1' } });
  const two = pod(
    { requests: { cpu: '400m' }, limits: { cpu: '600m' } },
    { requests: { cpu: '400m' }, limits: { cpu: '600m' } },
  );
  assert.equal(limitRangeViolation([item], 'pods', two), 'maximum cpu usage per Pod is 1, but limit is 1200m');
});

test('claims: min and max storage by the request', () => {
  const item = lr({ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } });
  const claim = (storage: string): PersistentVolumeClaim => ({
    metadata: { name: 'c', namespace: 'ns' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  assert.equal(
    limitRangeViolation([item], 'persistentvolumeclaims', claim('500Mi')),
    'minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi',
  );
  assert.equal(
    limitRangeViolation([item], 'persistentvolumeclaims', claim('20Gi')),
    'maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
  );
  assert.equal(limitRangeViolation([item], 'persistentvolumeclaims', claim('5Gi')), undefined);
  // Claim items do not apply to pods, nor pod items to claims.
  assert.equal(limitRangeViolation([item], 'pods', pod({})), undefined);
});
