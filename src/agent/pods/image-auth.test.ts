import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Secret } from '../../core/types.js';
import { pullAuth, registryOf } from './image-auth.js';

const dockerConfigSecret = (auths: Record<string, unknown>): Secret =>
  ({
    metadata: { name: 'regcred' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
  }) as Secret;

test('registryOf finds the host part of an image reference', () => {
  assert.equal(registryOf('busybox:1.35'), 'docker.io');
  assert.equal(registryOf('library/busybox'), 'docker.io');
  assert.equal(registryOf('localhost:5000/tutti/busybox:reg'), 'localhost:5000');
  assert.equal(registryOf('localhost/tutti/pause:1.0'), 'localhost');
  assert.equal(registryOf('ghcr.io/a/b'), 'ghcr.io');
});

test('pullAuth picks the entry for the image registry and sends no serverAddress', () => {
  const s = dockerConfigSecret({
    'other.example': { username: 'x', password: 'y' },
    'http://localhost:5000': { username: 'u', password: 'p', auth: 'dTpw' },
  });
  // containerd drops credentials whose serverAddress does not parse to the pulled host, e.g. `localhost:5000`.
  assert.deepEqual(pullAuth('localhost:5000/tutti/busybox:reg', [s]), {
    username: 'u',
    password: 'p',
    auth: 'dTpw',
    identityToken: undefined,
  });
  assert.equal(pullAuth('ghcr.io/a/b', [s]), undefined);
  const hub = dockerConfigSecret({ 'https://index.docker.io/v1/': { auth: 'aDpp' } });
  assert.equal(pullAuth('busybox:1.35', [hub])?.auth, 'aDpp');
});
