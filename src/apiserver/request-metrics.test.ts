import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestMetricLabels } from './request-metrics.js';
import { parseRequestPath } from './requestinfo.js';

const labels = (method: string, path: string, query = '', contentType = '') =>
  requestMetricLabels(method, parseRequestPath(path), new URLSearchParams(query), contentType);

describe('apiserver_request_* labels (upstream CanonicalVerb, cleanVerb, scope)', () => {
  const cases: [string, string, string, string, Partial<ReturnType<typeof labels>>][] = [
    [
      'GET',
      '/api/v1/namespaces/default/pods',
      '',
      '',
      { verb: 'LIST', scope: 'namespace', resource: 'pods', group: '' },
    ],
    ['GET', '/api/v1/pods', '', '', { verb: 'LIST', scope: 'cluster' }],
    ['GET', '/api/v1/namespaces/default/pods/web', '', '', { verb: 'GET', scope: 'resource' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=true', '', { verb: 'WATCH', scope: 'namespace' }],
    ['GET', '/api/v1/watch/namespaces/default/pods', '', '', { verb: 'WATCH' }],
    ['HEAD', '/api/v1/namespaces/default/pods/web', '', '', { verb: 'GET' }],
    ['POST', '/apis/apps/v1/namespaces/default/deployments', '', '', { verb: 'POST', group: 'apps', version: 'v1' }],
    ['PUT', '/apis/apps/v1/namespaces/d/deployments/w/scale', '', '', { verb: 'PUT', subresource: 'scale' }],
    ['PATCH', '/apis/apps/v1/namespaces/d/deployments/w', '', 'application/merge-patch+json', { verb: 'PATCH' }],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/d/deployments/w',
      '',
      'application/apply-patch+yaml; charset=utf-8',
      { verb: 'APPLY' },
    ],
    ['DELETE', '/api/v1/namespaces/d/pods', '', '', { verb: 'DELETE', scope: 'namespace' }],
    ['POST', '/api/v1/namespaces/d/pods/w/exec', '', '', { verb: 'CONNECT', subresource: 'exec' }],
    ['GET', '/api/v1/namespaces/d/pods/w/log', '', '', { verb: 'GET', subresource: 'log' }],
    ['GET', '/healthz', '', '', { verb: 'GET', resource: '', scope: '' }],
  ];
  for (const [method, path, query, ct, want] of cases) {
    it(`${method} ${path}${query ? `?${query}` : ''}${ct ? ` (${ct})` : ''}`, () => {
      const got = labels(method, path, query, ct);
      for (const [k, v] of Object.entries(want)) assert.equal(got[k as keyof typeof got], v, k);
    });
  }
});
