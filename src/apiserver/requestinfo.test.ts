import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRequestPath } from './requestinfo.js';

describe('parseRequestPath', () => {
  it('parses core and group paths, namespaced and cluster-scoped', () => {
    assert.deepEqual(parseRequestPath('/api/v1/namespaces/ns/pods/p/status'), {
      kind: 'resource',
      group: '',
      version: 'v1',
      resource: 'pods',
      namespace: 'ns',
      name: 'p',
      subresource: 'status',
      watchPrefix: false,
    });
    const d = parseRequestPath('/apis/apps/v1/deployments');
    assert.equal(d.kind === 'resource' && d.resource, 'deployments');
    const n = parseRequestPath('/api/v1/nodes/n1');
    assert.equal(n.kind === 'resource' && n.name, 'n1');
  });

  it('reads namespaces/NAME/finalize and /status as subresources of the namespace', () => {
    for (const sub of ['finalize', 'status']) {
      const r = parseRequestPath(`/api/v1/namespaces/doomed/${sub}`);
      assert.equal(r.kind, 'resource');
      if (r.kind !== 'resource') return;
      assert.equal(r.resource, 'namespaces');
      assert.equal(r.name, 'doomed');
      assert.equal(r.subresource, sub);
      assert.equal(r.namespace, undefined);
    }
    const pods = parseRequestPath('/api/v1/namespaces/ns/pods');
    assert.equal(pods.kind === 'resource' && pods.resource, 'pods');
  });

  it('recognises the deprecated watch prefix and rejects unknown shapes', () => {
    const w = parseRequestPath('/api/v1/watch/namespaces/ns/pods');
    assert.equal(w.kind === 'resource' && w.watchPrefix, true);
    assert.equal(parseRequestPath('/healthz').kind, 'other');
    assert.equal(parseRequestPath('/api/v1/namespaces/ns/pods/p/log/extra').kind, 'other');
  });

  it('works on the raw path: no dot folding, encoded slashes stay in the name, empty segments are a 404', () => {
    const thrown = (path: string) => {
      try {
        parseRequestPath(path);
      } catch (e) {
        return (e as { code: number; message: string }).code + ' ' + (e as Error).message;
      }
      return 'no error';
    };
    assert.equal(thrown('/api/v1/namespaces/ns/pods/..'), `400 Name parameter invalid: "..": may not be '..'`);
    assert.equal(thrown('/api/v1/namespaces/ns/pods/%2e'), `400 Name parameter invalid: ".": may not be '.'`);
    assert.equal(thrown('/api/v1/namespaces/%2E%2E/pods'), `400 Namespace parameter invalid: "..": may not be '..'`);
    assert.equal(
      thrown('/api/v1/secrets/a%2Fb%25'),
      `400 Name parameter invalid: "a/b%": may not contain '/';may not contain '%'`,
    );
    assert.match(thrown('/api/v1/namespaces/ns/pods/%E0%A4%A'), /^400 invalid URL escape/);
    assert.match(thrown('/api/v1/namespaces/ns/configmaps/'), /^404 /);
    assert.match(thrown('/api/v1/namespaces//configmaps'), /^404 /);
    const ok = parseRequestPath('/api/v1/namespaces/ns/configmaps/a%3Ab');
    assert.equal(ok.kind === 'resource' && ok.name, 'a:b');
  });
});
