// The agent's delegated authenticator/authorizer against a fake API: the TokenReview and SubjectAccessReview
// it sends, what it makes of the answers, and the kubelet's cache TTLs (failed calls are not cached).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { delegatedAuth, type ReviewAttributes, type ReviewClient, TtlCache } from './delegated-auth.js';

interface Call {
  method: string;
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON bodies of the fake API
  body: Record<string, any>;
}

function fakeApi(answer: (c: Call) => unknown) {
  const calls: Call[] = [];
  const client: ReviewClient = {
    async requestJson<T>(method: string, path: string, _q?: undefined, body?: string): Promise<T> {
      const call = { method, path, body: JSON.parse(body ?? '{}') };
      calls.push(call);
      return answer(call) as T;
    },
  };
  return { client, calls };
}

const attrs = (subresource: string): ReviewAttributes => ({ verb: 'get', resource: 'nodes', subresource, name: 'n1' });

describe('delegated authentication (TokenReview)', () => {
  test('sends the token, maps the user, caches valid and invalid tokens for 2 minutes', async () => {
    let now = 0;
    const { client, calls } = fakeApi((c) =>
      c.body.spec.token === 'good'
        ? {
            status: {
              authenticated: true,
              user: { username: 'alice', uid: 'u1', groups: ['devs', 'system:authenticated'] },
            },
          }
        : { status: { user: {}, error: 'invalid bearer token' } },
    );
    const auth = delegatedAuth(client, { now: () => now });
    assert.deepEqual(await auth.authenticate('good'), {
      name: 'alice',
      uid: 'u1',
      groups: ['devs', 'system:authenticated'],
    });
    assert.equal(calls[0]?.method, 'POST');
    assert.equal(calls[0]?.path, '/apis/authentication.k8s.io/v1/tokenreviews');
    assert.deepEqual(calls[0]?.body, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 'good' },
    });
    assert.equal(await auth.authenticate('bad'), undefined);
    assert.equal(calls.length, 2);
    now = 119_000;
    assert.equal((await auth.authenticate('good'))?.name, 'alice');
    assert.equal(await auth.authenticate('bad'), undefined);
    assert.equal(calls.length, 2, 'both answers cached');
    now = 120_001;
    await auth.authenticate('good');
    assert.equal(calls.length, 3, 'expired after 2 minutes');
  });

  test('a failed TokenReview is an error, and is not cached', async () => {
    let fail = true;
    const { client, calls } = fakeApi(() => {
      if (fail) throw new Error('connect ECONNREFUSED');
      return { status: { authenticated: true, user: { username: 'bob' } } };
    });
    const auth = delegatedAuth(client);
    await assert.rejects(auth.authenticate('t'), /ECONNREFUSED/);
    fail = false;
    assert.equal((await auth.authenticate('t'))?.name, 'bob');
    assert.equal(calls.length, 2);
  });
});

describe('delegated authorization (SubjectAccessReview)', () => {
  test('sends the user and nodes/<subresource>; caches allowed 5 minutes, denied 30 seconds', async () => {
    let now = 0;
    const { client, calls } = fakeApi((c) => ({
      status: {
        allowed: c.body.spec.resourceAttributes.subresource === 'metrics',
        reason: 'RBAC: allowed by ClusterRoleBinding',
      },
    }));
    const auth = delegatedAuth(client, { now: () => now });
    const user = { name: 'alice', uid: 'u1', groups: ['devs'], extra: { scope: ['a'] } };
    assert.deepEqual(await auth.authorize(user, attrs('metrics')), {
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding',
    });
    assert.equal(calls[0]?.path, '/apis/authorization.k8s.io/v1/subjectaccessreviews');
    assert.deepEqual(calls[0]?.body, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'alice',
        uid: 'u1',
        groups: ['devs'],
        extra: { scope: ['a'] },
        resourceAttributes: {
          verb: 'get',
          group: '',
          version: 'v1',
          resource: 'nodes',
          subresource: 'metrics',
          name: 'n1',
        },
      },
    });
    assert.equal((await auth.authorize(user, attrs('proxy'))).allowed, false);
    assert.equal(calls.length, 2);
    now = 29_000;
    await auth.authorize(user, attrs('proxy'));
    await auth.authorize(user, attrs('metrics'));
    assert.equal(calls.length, 2, 'both cached');
    now = 30_001;
    await auth.authorize(user, attrs('proxy'));
    await auth.authorize(user, attrs('metrics'));
    assert.equal(calls.length, 3, 'the denial expired after 30 s, the allowance did not');
    now = 300_001;
    await auth.authorize(user, attrs('metrics'));
    assert.equal(calls.length, 4, 'the allowance expired after 5 minutes');
    // Another user, another question.
    await auth.authorize({ name: 'bob', groups: ['devs'] }, attrs('metrics'));
    assert.equal(calls.length, 5);
  });

  test('denied wins over allowed; an answer without status is an error, not cached', async () => {
    let reply: unknown = {};
    const { client, calls } = fakeApi(() => reply);
    const auth = delegatedAuth(client);
    await assert.rejects(auth.authorize({ name: 'a', groups: [] }, attrs('proxy')), /without a status/);
    reply = { status: { allowed: true, denied: true } };
    assert.equal((await auth.authorize({ name: 'a', groups: [] }, attrs('proxy'))).allowed, false);
    assert.equal(calls.length, 2);
  });

  test('concurrent questions share one review', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { client, calls } = fakeApi(async (c) => {
      await gate;
      return c.path.includes('tokenreviews')
        ? { status: { authenticated: true, user: { username: 'scraper' } } }
        : { status: { allowed: true } };
    });
    const auth = delegatedAuth(client);
    const users = Promise.all([auth.authenticate('t'), auth.authenticate('t'), auth.authenticate('t')]);
    const decisions = Promise.all([1, 2, 3].map(() => auth.authorize({ name: 's', groups: [] }, attrs('metrics'))));
    release();
    assert.deepEqual(
      (await users).map((u) => u?.name),
      ['scraper', 'scraper', 'scraper'],
    );
    assert.deepEqual(
      (await decisions).map((d) => d.allowed),
      [true, true, true],
    );
    assert.equal(calls.length, 2);
  });

  test('TtlCache drops the oldest entry past its size', () => {
    const c = new TtlCache<number>(2, () => 0);
    c.set('a', 1, 10);
    c.set('b', 2, 10);
    c.set('c', 3, 10);
    assert.equal(c.size, 2);
    assert.equal(c.get('a'), undefined);
    assert.equal(c.get('c'), 3);
  });
});
