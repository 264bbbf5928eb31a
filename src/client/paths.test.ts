import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectKey, queryString, resourcePath, splitKey } from './paths.js';

const pods = { group: '', version: 'v1', resource: 'pods', namespaced: true };
const deployments = { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true };
const nodes = { group: '', version: 'v1', resource: 'nodes', namespaced: false };

describe('paths', () => {
  it('builds core, group, namespaced, cluster-scoped and subresource paths', () => {
    assert.equal(resourcePath(pods), '/api/v1/pods');
    assert.equal(resourcePath(pods, { namespace: 'ns' }), '/api/v1/namespaces/ns/pods');
    assert.equal(
      resourcePath(pods, { namespace: 'ns', name: 'p', subresource: 'status' }),
      '/api/v1/namespaces/ns/pods/p/status',
    );
    assert.equal(
      resourcePath(deployments, { namespace: 'ns', name: 'd', subresource: 'scale' }),
      '/apis/apps/v1/namespaces/ns/deployments/d/scale',
    );
    assert.equal(resourcePath(nodes, { namespace: 'ignored', name: 'n1' }), '/api/v1/nodes/n1');
    assert.throws(() => resourcePath(pods, { subresource: 'status' }));
  });

  it('encodes query values and skips empty ones', () => {
    assert.equal(
      queryString({ labelSelector: 'app in (a,b)', limit: 5, continue: '', x: undefined, watch: true }),
      '?labelSelector=app%20in%20(a%2Cb)&limit=5&watch=true',
    );
    assert.equal(queryString({}), '');
  });

  it('keys objects as namespace/name or name', () => {
    assert.equal(objectKey({ namespace: 'a', name: 'b' }), 'a/b');
    assert.equal(objectKey({ name: 'n' }), 'n');
    assert.deepEqual(splitKey('a/b'), { namespace: 'a', name: 'b' });
    assert.deepEqual(splitKey('n'), { name: 'n' });
  });
});
