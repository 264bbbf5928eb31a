import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podRequests } from './pod-requests.js';

const c = (requests?: Record<string, string>, limits?: Record<string, string>, restartPolicy?: string) => ({
  resources: { requests, limits },
  restartPolicy,
});

test('sums containers and defaults requests to limits', () => {
  const pod = {
    spec: { containers: [c({ cpu: '100m', memory: '64Mi' }), c(undefined, { cpu: '1', 'nvidia.com/gpu': '2' })] },
  };
  assert.deepEqual(podRequests(pod), { cpu: 1100, memory: 64 * 2 ** 20, 'nvidia.com/gpu': 2 });
});

test('init containers take the max, sidecars add, overhead adds', () => {
  const pod = {
    spec: {
      containers: [c({ cpu: '500m', memory: '100Mi' })],
      initContainers: [
        c({ cpu: '2' }),
        c({ cpu: '100m', memory: '10Mi' }, undefined, 'Always'),
        c({ cpu: '1900m', memory: '500Mi' }),
      ],
      overhead: { cpu: '10m' },
    },
  };
  // app + sidecar = 600m/110Mi; init max = max(2000, 100+1900=2000)/max(10, 510Mi) => 2000m, 510Mi.
  assert.deepEqual(podRequests(pod), { cpu: 2010, memory: 510 * 2 ** 20 });
});

test('non-missing requests substitute defaults for scoring', () => {
  const pod = { spec: { containers: [c(), c({ cpu: '250m' })] } };
  assert.deepEqual(podRequests(pod), { cpu: 250 });
  assert.deepEqual(podRequests(pod, { nonMissingContainerRequests: true }), {
    cpu: 350,
    memory: 400 * 2 ** 20,
  });
});
