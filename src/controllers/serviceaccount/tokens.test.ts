import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Secret, ServiceAccount } from '../../core/index.js';
import { decideTokenSecret, SA_UID_ANNOTATION } from './tokens.js';

const sa: ServiceAccount = { metadata: { name: 'app', namespace: 'ns', uid: 'u1' } };
const secret = (over: Partial<Secret> = {}, annotations: Record<string, string> = {}): Secret => ({
  type: 'kubernetes.io/service-account-token',
  metadata: {
    name: 's',
    namespace: 'ns',
    annotations: { 'kubernetes.io/service-account.name': 'app', ...annotations },
  },
  ...over,
});
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('legacy token secrets', () => {
  it('fills in the token, ca.crt, namespace and the uid annotation', () => {
    assert.deepEqual(decideTokenSecret(secret(), sa, 'CA'), {
      action: 'update',
      data: { 'ca.crt': b64('CA'), namespace: b64('ns') },
      annotations: { 'kubernetes.io/service-account.name': 'app', [SA_UID_ANNOTATION]: 'u1' },
      token: true,
    });
  });

  it('leaves a complete secret alone and keeps a token it holds', () => {
    const full = secret(
      { data: { token: 'dA==', 'ca.crt': b64('CA'), namespace: b64('ns') } },
      { [SA_UID_ANNOTATION]: 'u1' },
    );
    assert.deepEqual(decideTokenSecret(full, sa, 'CA'), { action: 'none' });
    const d = decideTokenSecret(secret({ data: { token: 'dA==' } }), sa, 'CA');
    assert.equal(d.action === 'update' && d.token, false);
  });

  it('deletes a token secret without its account, or of another uid; ignores other secrets', () => {
    assert.deepEqual(decideTokenSecret(secret(), undefined), { action: 'delete' });
    assert.deepEqual(decideTokenSecret(secret({}, { [SA_UID_ANNOTATION]: 'old' }), sa), { action: 'delete' });
    assert.deepEqual(decideTokenSecret(secret({ type: 'Opaque' }), undefined), { action: 'none' });
    assert.deepEqual(
      decideTokenSecret(secret({ metadata: { name: 's', namespace: 'ns', deletionTimestamp: 'x' } }), undefined),
      { action: 'none' },
    );
  });
});
