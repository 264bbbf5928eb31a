// ServiceAccounts through real kubectl against `tutti server`: the default ServiceAccount and the root CA
// ConfigMap in every namespace, `kubectl create token` (TokenRequest), the token authenticating as the account
// under RBAC, its end when the account is deleted, bad tokens, the OIDC discovery documents, legacy token secrets (only when asked for), and the
// kube-api-access volume the admission adds to pods.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TokenIssuer } from '../apiserver/serviceaccounts/index.js';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

describe('ServiceAccounts and tokens', { timeout: 180_000 }, () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ controlPlane: true });
    await s.k('create', 'namespace', 'sa-a');
    await s.k('create', 'namespace', 'sa-b');
    await s.k('create', 'serviceaccount', 'reader', '-n', 'sa-a');
    await s.k('create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods', '-n', 'sa-a');
    await s.k(
      'create',
      'rolebinding',
      'reader-reads',
      '--role=pod-reader',
      '--serviceaccount=sa-a:reader',
      '-n',
      'sa-a',
    );
  });
  after(async () => {
    await s?.stop();
  });

  const withToken = (token: string, ...args: string[]) => s.kubectl([`--token=${token}`, ...args]);

  it('every namespace gets the default ServiceAccount and the kube-root-ca.crt ConfigMap', async () => {
    await pollUntil(
      'default SA in sa-b',
      async () => (await s.kubectl(['get', 'sa', 'default', '-n', 'sa-b'])).code === 0,
      20_000,
    );
    const cm = await pollUntil(
      'root CA ConfigMap in sa-b',
      async () => {
        const r = await s.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'sa-b', '-o', 'json']);
        return r.code === 0 ? JSON.parse(r.stdout) : undefined;
      },
      20_000,
    );
    assert.equal(cm.data['ca.crt'], s.caPem);
    // deleted, it comes back
    await s.k('delete', 'sa', 'default', '-n', 'sa-b');
    await pollUntil(
      'default SA re-made',
      async () => (await s.kubectl(['get', 'sa', 'default', '-n', 'sa-b'])).code === 0,
      20_000,
    );
  });

  it('kubectl create token gives a token that acts as the ServiceAccount under RBAC', async () => {
    const token = (await s.k('create', 'token', 'reader', '-n', 'sa-a')).trim();
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:sa-a:reader');
    assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
    assert.equal(claims['kubernetes.io'].namespace, 'sa-a');
    assert.ok(claims.exp - claims.iat === 3600);

    assert.equal((await withToken(token, 'get', 'pods', '-n', 'sa-a')).code, 0);
    const who = await withToken(token, 'auth', 'whoami');
    assert.match(who.stdout, /Username\s+system:serviceaccount:sa-a:reader/);
    assert.match(who.stdout, /system:serviceaccounts:sa-a/);
    const secrets = await withToken(token, 'get', 'secrets', '-n', 'sa-b');
    assert.match(
      secrets.stderr,
      /secrets is forbidden: User "system:serviceaccount:sa-a:reader" cannot list resource "secrets" in API group "" in the namespace "sa-b"/,
    );
    const del = await withToken(token, 'delete', 'pod', 'x', '-n', 'sa-a');
    assert.match(
      del.stderr,
      /pods "x" is forbidden: User "system:serviceaccount:sa-a:reader" cannot delete resource "pods"/,
    );
    assert.equal((await withToken(token, 'auth', 'can-i', 'list', 'pods', '-n', 'sa-a')).stdout.trim(), 'yes');
    assert.equal((await withToken(token, 'auth', 'can-i', 'list', 'secrets', '-n', 'sa-a')).stdout.trim(), 'no');

    const oidc = await s.request('GET', '/.well-known/openid-configuration', undefined, {
      Authorization: `Bearer ${token}`,
    });
    assert.equal(oidc.status, 200, oidc.body);
    assert.equal(JSON.parse(oidc.body).issuer, 'https://kubernetes.default.svc.cluster.local');
    const jwks = JSON.parse(
      (await s.request('GET', '/openid/v1/jwks', undefined, { Authorization: `Bearer ${token}` })).body,
    );
    assert.equal(jwks.keys[0].kty, 'EC');
    assert.equal(jwks.keys[0].kid, JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid);

    // the ServiceAccount deleted and made again: the old token no longer authenticates
    await s.k('delete', 'sa', 'reader', '-n', 'sa-a');
    await s.k('create', 'sa', 'reader', '-n', 'sa-a');
    const gone = await withToken(token, 'get', 'pods', '-n', 'sa-a');
    assert.match(gone.stderr, /Unauthorized|must be logged in/);
  });

  it('refuses short durations, garbage, foreign and expired tokens', async () => {
    const short = await s.kubectl(['create', 'token', 'reader', '-n', 'sa-a', '--duration=5m']);
    assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
    const tokenPath = '/api/v1/namespaces/sa-a/serviceaccounts/reader/token';
    for (const body of [[], { spec: { audiences: 5 } }, { spec: { expirationSeconds: 'abc' } }]) {
      const r = await s.request('POST', tokenPath, body);
      assert.ok(r.status === 400 || r.status === 422, `${JSON.stringify(body)}: ${r.status} ${r.body}`);
      assert.equal(JSON.parse(r.body).kind, 'Status');
    }
    const missing = await s.kubectl(['create', 'token', 'nobody', '-n', 'sa-a']);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    const sa = JSON.parse(await s.k('get', 'sa', 'reader', '-n', 'sa-a', '-o', 'json'));
    const claims = {
      namespace: 'sa-a',
      serviceAccount: { name: 'reader', uid: sa.metadata.uid },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
      expirationSeconds: 600,
    };
    const ownKey = readFileSync(join(s.dataDir, 'tls', 'service-account.key'), 'utf8');
    const valid = (await new TokenIssuer(ownKey).issue(claims)).token;
    assert.equal((await withToken(valid, 'get', 'pods', '-n', 'sa-a')).code, 0, 'a token made with the key works');
    const expired = (await new TokenIssuer(ownKey).issue(claims, new Date(Date.now() - 3600_000))).token;
    const { generateKeyPairSync } = await import('node:crypto');
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const foreign = (await new TokenIssuer(otherKey).issue(claims)).token;
    const otherAudience = (await new TokenIssuer(ownKey).issue({ ...claims, audiences: ['vault'] })).token;
    const [h, p] = valid.split('.');
    for (const bad of [expired, foreign, otherAudience, 'a.b.c', `${h}.${p}.`, `${h}.${p}.${'A'.repeat(86)}`]) {
      const r = await s.request('GET', '/api/v1/namespaces/sa-a/pods', undefined, { Authorization: `Bearer ${bad}` });
      assert.equal(r.status, 401, bad.slice(0, 40));
    }
  });

  it("malformed, forged and unbound JWTs are a 401 with upstream's Status and change nothing", async () => {
    const sa = JSON.parse(await s.k('get', 'sa', 'reader', '-n', 'sa-a', '-o', 'json'));
    const claims = {
      namespace: 'sa-a',
      serviceAccount: { name: 'reader', uid: sa.metadata.uid },
      audiences: ['https://kubernetes.default.svc.cluster.local'],
      expirationSeconds: 600,
    };
    const ownKey = readFileSync(join(s.dataDir, 'tls', 'service-account.key'), 'utf8');
    const valid = (await new TokenIssuer(ownKey).issue(claims)).token;
    assert.equal((await withToken(valid, 'get', 'pods', '-n', 'sa-a')).code, 0);
    const [h, p, sig] = valid.split('.') as [string, string, string];
    const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    // HS256 keyed with the public key (the algorithm-confusion attack) and alg none
    const { createPublicKey, createHmac } = await import('node:crypto');
    const pubPem = createPublicKey(ownKey).export({ type: 'spki', format: 'pem' }).toString();
    const hsHead = b64url({ ...header, alg: 'HS256' });
    const hs = `${hsHead}.${p}.${createHmac('sha256', pubPem).update(`${hsHead}.${p}`).digest('base64url')}`;
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${p}.`;
    // another account's name under the original signature
    const otherSub = b64url({ ...payload, sub: 'system:serviceaccount:kube-system:default' });
    const bad: Record<string, string> = {
      'alg HS256 keyed with the public key': hs,
      'alg none': none,
      'alg none, no signature part': none.slice(0, -1),
      'header not base64url': `!!${h.slice(2)}.${p}.${sig}`,
      'payload not base64url': `${h}.${p.slice(0, 10)}*${p.slice(11)}.${sig}`,
      'payload not JSON': `${h}.${Buffer.from('{"sub":').toString('base64url')}.${sig}`,
      truncated: valid.slice(0, -12),
      'two parts': `${h}.${p}`,
      'four parts': `${valid}.${sig}`,
      'tampered payload': `${h}.${otherSub}.${sig}`,
      'signature of another token': `${h}.${p}.${(await new TokenIssuer(ownKey).issue({ ...claims, expirationSeconds: 700 })).token.split('.')[2]}`,
      empty: '',
      huge: `${h}.${'A'.repeat(15_000)}.${sig}`,
    };
    for (const [what, token] of Object.entries(bad)) {
      const r = await s.request('DELETE', '/api/v1/namespaces/sa-a/pods/x', undefined, {
        Authorization: `Bearer ${token}`,
      });
      assert.equal(r.status, 401, `${what}: ${r.status} ${r.body}`);
      assert.deepEqual(
        JSON.parse(r.body),
        {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        },
        what,
      );
    }
    // kubectl says so in its own words
    const k = await withToken(none, 'get', 'pods', '-n', 'sa-a');
    assert.equal(k.code, 1);
    assert.match(k.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
    assert.equal((await s.request('GET', '/readyz')).status, 200);
  });

  it('a token bound to a pod or a secret ends with it; bad bound references are refused', async () => {
    await s.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'holder', namespace: 'sa-a' },
        spec: { serviceAccountName: 'reader', containers: [{ name: 'c', image: 'busybox' }] },
      }),
    });
    await s.k('create', 'secret', 'generic', 'anchor', '--from-literal=k=v', '-n', 'sa-a');
    const bound = async (kind: string, name: string) =>
      (
        await s.k(
          'create',
          'token',
          'reader',
          '-n',
          'sa-a',
          `--bound-object-kind=${kind}`,
          `--bound-object-name=${name}`,
        )
      ).trim();
    const podToken = await bound('Pod', 'holder');
    const secretToken = await bound('Secret', 'anchor');
    const podClaims = JSON.parse(Buffer.from(podToken.split('.')[1]!, 'base64url').toString());
    const pod = JSON.parse(await s.k('get', 'pod', 'holder', '-n', 'sa-a', '-o', 'json'));
    assert.deepEqual(podClaims['kubernetes.io'].pod, { name: 'holder', uid: pod.metadata.uid });
    for (const t of [podToken, secretToken]) assert.equal((await withToken(t, 'get', 'pods', '-n', 'sa-a')).code, 0);

    await s.k('delete', 'pod', 'holder', '-n', 'sa-a', '--grace-period=0', '--force');
    await s.k('delete', 'secret', 'anchor', '-n', 'sa-a');
    for (const t of [podToken, secretToken]) {
      const r = await s.request('GET', '/api/v1/namespaces/sa-a/pods', undefined, { Authorization: `Bearer ${t}` });
      assert.equal(r.status, 401, r.body);
    }
    // made again under the same name: a new uid, the old token stays dead
    await s.k('create', 'secret', 'generic', 'anchor', '--from-literal=k=v', '-n', 'sa-a');
    const again = await s.request('GET', '/api/v1/namespaces/sa-a/pods', undefined, {
      Authorization: `Bearer ${secretToken}`,
    });
    assert.equal(again.status, 401, again.body);

    const missing = await s.kubectl([
      'create',
      'token',
      'reader',
      '-n',
      'sa-a',
      '--bound-object-kind=Pod',
      '--bound-object-name=nowhere',
    ]);
    assert.match(missing.stderr, /pods "nowhere" not found/);
    const tokenPath = '/api/v1/namespaces/sa-a/serviceaccounts/reader/token';
    const kind = await s.request('POST', tokenPath, {
      spec: { boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'n1' } },
    });
    assert.equal(kind.status, 422, kind.body);
    assert.match(JSON.parse(kind.body).message, /spec.boundObjectRef.kind: Unsupported value: "Node"/);
    const uid = await s.request('POST', tokenPath, {
      spec: { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'anchor', uid: 'not-its-uid' } },
    });
    assert.equal(uid.status, 409, uid.body);
    assert.match(JSON.parse(uid.body).message, /does not match the UID in record/);
  });

  it('legacy token secrets only when asked for: filled in, authenticating while they hold the token, gone with the account', async () => {
    await s.k('create', 'serviceaccount', 'old-style', '-n', 'sa-a');
    await s.k(
      'create',
      'rolebinding',
      'old-style-reads',
      '--role=pod-reader',
      '--serviceaccount=sa-a:old-style',
      '-n',
      'sa-a',
    );
    // no secret is made for an account on its own
    await new Promise((res) => setTimeout(res, 500));
    assert.equal((await s.k('get', 'secrets', '-n', 'sa-a', '-o', 'name')).includes('old-style'), false);
    const tokenSecret = (name: string, account: string, data?: Record<string, string>) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/service-account-token',
        metadata: { name, namespace: 'sa-a', annotations: { 'kubernetes.io/service-account.name': account } },
        ...(data ? { data } : {}),
      });
    await s.kubectl(['create', '-f', '-'], { input: tokenSecret('old-style-token', 'old-style') });
    const sa = JSON.parse(await s.k('get', 'sa', 'old-style', '-n', 'sa-a', '-o', 'json'));
    const filled = await pollUntil(
      'the token secret filled in',
      async () => {
        const sec = JSON.parse(await s.k('get', 'secret', 'old-style-token', '-n', 'sa-a', '-o', 'json'));
        return sec.data?.token ? sec : undefined;
      },
      20_000,
    );
    assert.equal(Buffer.from(filled.data['ca.crt'], 'base64').toString(), s.caPem);
    assert.equal(Buffer.from(filled.data.namespace, 'base64').toString(), 'sa-a');
    assert.equal(filled.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
    const token = Buffer.from(filled.data.token, 'base64').toString();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.iss, 'kubernetes/serviceaccount');
    assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'old-style-token');
    assert.equal(claims.exp, undefined, 'a legacy token does not expire');
    assert.equal((await withToken(token, 'get', 'pods', '-n', 'sa-a')).code, 0);
    assert.match((await withToken(token, 'auth', 'whoami')).stdout, /Username\s+system:serviceaccount:sa-a:old-style/);
    assert.match((await withToken(token, 'get', 'secrets', '-n', 'sa-a')).stderr, /cannot list resource "secrets"/);
    // `kubectl describe` shows it as upstream's does
    assert.match(
      await s.k('describe', 'secret', 'old-style-token', '-n', 'sa-a'),
      /Type:\s+kubernetes.io\/service-account-token/,
    );

    // a token the user wrote into such a secret is kept, and is nobody
    const forged = `${token.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, 'kubernetes.io/serviceaccount/secret.name': 'mine' })).toString('base64url')}.${token.split('.')[2]}`;
    await s.kubectl(['create', '-f', '-'], {
      input: tokenSecret('mine', 'old-style', { token: Buffer.from(forged).toString('base64') }),
    });
    await pollUntil(
      'the user-written secret annotated',
      async () =>
        (await s.k(
          'get',
          'secret',
          'mine',
          '-n',
          'sa-a',
          '-o',
          'jsonpath={.metadata.annotations.kubernetes\\.io/service-account\\.uid}',
        )) || undefined,
      20_000,
    );
    const mine = JSON.parse(await s.k('get', 'secret', 'mine', '-n', 'sa-a', '-o', 'json'));
    assert.equal(Buffer.from(mine.data.token, 'base64').toString(), forged);
    assert.equal(
      (await s.request('GET', '/api/v1/namespaces/sa-a/pods', undefined, { Authorization: `Bearer ${forged}` })).status,
      401,
    );

    // the secret no longer holding the token ends it
    await s.k(
      'patch',
      'secret',
      'old-style-token',
      '-n',
      'sa-a',
      '--type=merge',
      `-p={"data":{"token":"${Buffer.from('other').toString('base64')}"}}`,
    );
    const after = await s.request('GET', '/api/v1/namespaces/sa-a/pods', undefined, {
      Authorization: `Bearer ${token}`,
    });
    assert.equal(after.status, 401);

    // a token secret for an account that does not exist is deleted, and the account's go with it
    await s.kubectl(['create', '-f', '-'], { input: tokenSecret('orphan-token', 'nobody') });
    await pollUntil(
      'the orphan token secret deleted',
      async () => ((await s.kubectl(['get', 'secret', 'orphan-token', '-n', 'sa-a'])).code === 1 ? true : undefined),
      20_000,
    );
    await s.k('delete', 'sa', 'old-style', '-n', 'sa-a');
    await pollUntil(
      "the account's token secrets deleted",
      async () => {
        const names = await s.k('get', 'secrets', '-n', 'sa-a', '-o', 'name');
        return names.includes('old-style-token') || names.includes('secret/mine') ? undefined : true;
      },
      20_000,
    );
  });

  it('pods get the kube-api-access projected volume, unless they opt out', async () => {
    await pollUntil(
      'default SA in sa-a',
      async () => (await s.kubectl(['get', 'sa', 'default', '-n', 'sa-a'])).code === 0,
      20_000,
    );
    await s.k('run', 'with-token', '--image=busybox', '-n', 'sa-a');
    const pod = JSON.parse(await s.k('get', 'pod', 'with-token', '-n', 'sa-a', '-o', 'json'));
    const vol = pod.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    assert.ok(vol, JSON.stringify(pod.spec.volumes));
    assert.deepEqual(vol.projected.sources[0], { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
    assert.deepEqual(pod.spec.containers[0].volumeMounts, [
      { name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ]);
    await s.k(
      'run',
      'no-token',
      '--image=busybox',
      '-n',
      'sa-a',
      '--overrides={"spec":{"automountServiceAccountToken":false}}',
    );
    const bare = JSON.parse(await s.k('get', 'pod', 'no-token', '-n', 'sa-a', '-o', 'json'));
    assert.equal(bare.spec.volumes, undefined);
  });
});
