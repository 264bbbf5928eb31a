// The agent endpoint's authentication and authorization: the pure path/method -> attributes mapping, and the
// real HTTPS server with injected authenticate/authorize (401 without credentials, 403 with the kubelet's
// message, 500 when the authorizer fails, the request served when allowed), plain requests and upgrades.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';
import { webcrypto } from 'node:crypto';
import { connect } from 'node:tls';
import * as x509 from '@peculiar/x509';
import {
  type CertificateAndKey,
  createCertificateAuthority,
  createServingCertificate,
  importPrivateKey,
} from '../../pki/certificates.js';
import { type AgentServer, startAgentServer } from './agent-server.js';
import {
  type AgentAuth,
  type AgentUser,
  bearerToken,
  checkAccess,
  forbiddenMessage,
  type NodeAttributes,
  requestAttributes,
  sharedTokenAuth,
  userFromCertificate,
  verbFor,
} from './auth.js';

describe('request attributes (the kubelet GetRequestAttributes)', () => {
  const sub = (method: string, path: string, upgrade = false) =>
    requestAttributes(method, path, 'n1', upgrade).subresources;
  test('paths map to node subresources', () => {
    assert.deepEqual(sub('GET', '/stats/summary'), ['stats']);
    assert.deepEqual(sub('GET', '/stats'), ['stats']);
    assert.deepEqual(sub('GET', '/metrics'), ['metrics']);
    assert.deepEqual(sub('GET', '/metrics/resource'), ['metrics']);
    assert.deepEqual(sub('GET', '/metrics/cadvisor'), ['metrics']);
    assert.deepEqual(sub('GET', '/logs/'), ['log']);
    assert.deepEqual(sub('GET', '/logs/syslog'), ['log']);
    assert.deepEqual(sub('GET', '/spec/'), ['spec', 'proxy']);
    assert.deepEqual(sub('GET', '/pods'), ['pods', 'proxy']);
    assert.deepEqual(sub('GET', '/healthz'), ['healthz', 'proxy']);
    assert.deepEqual(sub('GET', '/containerLogs/default/web/c'), ['proxy']);
    assert.deepEqual(sub('GET', '/exec/default/web/c', true), ['proxy']);
    assert.deepEqual(sub('POST', '/portForward/default/web'), ['proxy']);
    assert.deepEqual(sub('POST', '/run/default/web/c'), ['proxy']);
    // a prefix is a path segment, not a string prefix
    assert.deepEqual(sub('GET', '/statsx'), ['proxy']);
    assert.deepEqual(sub('GET', '/metricsfoo'), ['proxy']);
    assert.deepEqual(sub('GET', '/'), ['proxy']);
  });
  test('name, path and verb', () => {
    assert.deepEqual(requestAttributes('GET', '/stats/summary', 'node-a'), {
      verb: 'get',
      name: 'node-a',
      path: '/stats/summary',
      subresources: ['stats'],
    });
    assert.equal(verbFor('GET'), 'get');
    assert.equal(verbFor('HEAD'), 'get');
    assert.equal(verbFor('POST'), 'create');
    assert.equal(verbFor('PUT'), 'update');
    assert.equal(verbFor('PATCH'), 'patch');
    assert.equal(verbFor('DELETE'), 'delete');
    assert.equal(verbFor('OPTIONS'), '');
    assert.equal(verbFor('GET', true), 'create');
  });
  test('bearer tokens', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), undefined);
    assert.equal(bearerToken('Bearer '), undefined);
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken(undefined), undefined);
  });
  test('the denial message is the kubelet one', () => {
    const user = { name: 'system:serviceaccount:default:sa', groups: [] };
    assert.equal(
      forbiddenMessage(user, requestAttributes('GET', '/containerLogs/a/b/c', 'n1')),
      'Forbidden (user=system:serviceaccount:default:sa, verb=get, resource=nodes, subresource(s)=[proxy])',
    );
    assert.equal(
      forbiddenMessage(user, requestAttributes('GET', '/spec', 'n1')),
      'Forbidden (user=system:serviceaccount:default:sa, verb=get, resource=nodes, subresource(s)=[spec proxy])',
    );
  });
  test('checkAccess: the candidates in order, the first allowed wins', async () => {
    const asked: string[] = [];
    const auth: AgentAuth = {
      authenticate: async (t) => (t === 'ok' ? { name: 'u', groups: ['g'] } : undefined),
      authorize: async (_u, a) => {
        asked.push(a.subresource);
        return { allowed: a.subresource === 'proxy' };
      },
    };
    const r = await checkAccess(auth, 'Bearer ok', requestAttributes('GET', '/spec', 'n1'));
    assert.equal(r.outcome, 'allowed');
    assert.deepEqual(asked, ['spec', 'proxy']);
    assert.deepEqual(await checkAccess(auth, undefined, requestAttributes('GET', '/spec', 'n1')), {
      outcome: 'unauthenticated',
    });
    assert.deepEqual(await checkAccess(auth, 'Bearer bad', requestAttributes('GET', '/spec', 'n1')), {
      outcome: 'unauthenticated',
    });
    const failing: AgentAuth = {
      authenticate: async () => {
        throw new Error('connection refused');
      },
      authorize: async () => ({ allowed: true }),
    };
    assert.deepEqual(await checkAccess(failing, 'Bearer ok', requestAttributes('GET', '/', 'n1')), {
      outcome: 'unauthenticated',
      error: 'connection refused',
    });
  });
  test('sharedTokenAuth accepts its token only', async () => {
    const auth = sharedTokenAuth('s3cret');
    assert.equal((await auth.authenticate('s3cret'))?.name, 'system:tutti:agent-client');
    assert.equal(await auth.authenticate('s3cre'), undefined);
    assert.equal(await auth.authenticate('s3creT'), undefined);
  });
});

describe('agent endpoint with injected authentication and authorization', () => {
  let server: AgentServer;
  const asked: { user: AgentUser; attrs: NodeAttributes }[] = [];
  // Tokens: "admin" may do everything, "viewer" only nodes/metrics and nodes/stats, "broken" makes authorize throw.
  const users: Record<string, AgentUser> = {
    admin: { name: 'admin', groups: ['system:masters'] },
    viewer: { name: 'system:serviceaccount:default:viewer', groups: ['system:serviceaccounts'] },
    broken: { name: 'broken', groups: [] },
  };
  const auth: AgentAuth = {
    authenticate: async (token) => users[token],
    authorize: async (user, attrs) => {
      asked.push({ user, attrs });
      if (user.name === 'broken') throw new Error('SubjectAccessReview failed');
      if (user.name === 'admin') return { allowed: true };
      return { allowed: attrs.subresource === 'metrics' || attrs.subresource === 'stats' };
    },
  };

  before(async () => {
    server = await startAgentServer({
      runtime: {
        exec: async () => 'ws://127.0.0.1:1/exec',
        attach: async () => 'ws://127.0.0.1:1/attach',
        portForward: async () => 'ws://127.0.0.1:1/pf',
        containerStatus: async () => ({ state: 'running' }) as never,
      },
      locator: { locate: async () => undefined },
      auth,
      port: 0,
      host: '127.0.0.1',
      nodeName: 'node-h4',
      documents: { '/metrics': async () => ({ contentType: 'text/plain', body: 'up 1\n' }) },
    });
  });
  after(async () => server?.stop());

  function get(path: string, token?: string, method = 'GET'): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method,
          ca: server.caPem,
          servername: 'node-h4',
          rejectUnauthorized: false,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  function upgrade(path: string, token?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false }, () => {
        sock.write(
          `GET ${path} HTTP/1.1\r\nHost: agent\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
            'Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n' +
            (token ? `Authorization: Bearer ${token}\r\n` : '') +
            '\r\n',
        );
      });
      let data = '';
      sock.on('data', (c) => {
        data += c;
      });
      sock.on('end', () => resolve(data));
      sock.on('close', () => resolve(data));
      sock.on('error', reject);
    });
  }

  test('no credentials, or a token nobody knows: 401 Unauthorized', async () => {
    for (const token of [undefined, 'nobody']) {
      const r = await get('/metrics', token);
      assert.equal(r.status, 401);
      assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
    }
    const h = await get('/healthz');
    assert.equal(h.status, 401, 'healthz on the authenticated port needs credentials too');
  });

  test('allowed: the document is served, with the attributes of the request', async () => {
    asked.length = 0;
    const r = await get('/metrics', 'viewer');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'up 1\n');
    assert.deepEqual(asked[0]?.attrs, {
      verb: 'get',
      resource: 'nodes',
      subresource: 'metrics',
      name: 'node-h4',
      path: '/metrics',
    });
    assert.equal(asked[0]?.user.name, 'system:serviceaccount:default:viewer');
  });

  test('denied: 403 with the kubelet message, before the request is looked at', async () => {
    const r = await get('/containerLogs/default/web/c', 'viewer');
    assert.equal(r.status, 403);
    const status = JSON.parse(r.body);
    assert.equal(status.reason, 'Forbidden');
    assert.equal(
      status.message,
      'Forbidden (user=system:serviceaccount:default:viewer, verb=get, resource=nodes, subresource(s)=[proxy])',
    );
    const h = await get('/healthz', 'viewer');
    assert.equal(h.status, 403);
    assert.match(JSON.parse(h.body).message, /subresource\(s\)=\[healthz proxy\]/);
  });

  test('allowed callers reach the handler (404 for a pod this node does not have)', async () => {
    const r = await get('/containerLogs/default/web/c', 'admin');
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).reason, 'NotFound');
    const h = await get('/healthz', 'admin');
    assert.deepEqual(h, { status: 200, body: 'ok' });
  });

  test('an authorizer failure is a 500 Authorization error, not a denial', async () => {
    const r = await get('/metrics', 'broken');
    assert.equal(r.status, 500);
    assert.match(JSON.parse(r.body).message, /^Authorization error \(user=broken, verb=get, resource=nodes/);
  });

  test('upgrades (exec): 401 without a token, 403 create nodes/proxy when denied, served when allowed', async () => {
    const anon = await upgrade('/exec/default/web/c?command=ls&stdout=1');
    assert.match(anon, /^HTTP\/1.1 401 Unauthorized/);
    const denied = await upgrade('/exec/default/web/c?command=ls&stdout=1', 'viewer');
    assert.match(denied, /^HTTP\/1.1 403 Forbidden/);
    assert.match(denied, /verb=create, resource=nodes, subresource\(s\)=\[proxy\]/);
    const allowed = await upgrade('/exec/default/web/c?command=ls&stdout=1', 'admin');
    assert.match(allowed, /^HTTP\/1.1 404 /, 'past authorization, the pod is looked up');
  });
});

/** A client certificate (clientAuth) for `subject`, signed by the CA. */
async function clientCertificate(ca: CertificateAndKey, subject: string): Promise<CertificateAndKey> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caCert = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '0a1b2c',
    subject,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.keyPem),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: cert.toString('pem'), keyPem: x509.PemConverter.encode(der, 'PRIVATE KEY') };
}

describe('client certificates (the kubelet --client-ca-file)', () => {
  test('userFromCertificate: CN is the user, O the groups; unverified, serverAuth-only or CN-less: nobody', () => {
    const peer = { subject: { CN: 'alice', O: ['devs', 'ops'] }, ext_key_usage: ['1.3.6.1.5.5.7.3.2'] };
    assert.deepEqual(userFromCertificate(peer, true), { name: 'alice', groups: ['devs', 'ops'] });
    assert.deepEqual(userFromCertificate({ subject: { CN: 'bob', O: 'devs' } }, true), {
      name: 'bob',
      groups: ['devs'],
    });
    assert.deepEqual(userFromCertificate({ subject: { CN: 'carol' } }, true), { name: 'carol', groups: [] });
    assert.equal(userFromCertificate(peer, false), undefined);
    assert.equal(userFromCertificate({ ...peer, ext_key_usage: ['1.3.6.1.5.5.7.3.1'] }, true), undefined);
    assert.equal(userFromCertificate({ subject: { O: 'devs' } }, true), undefined);
    assert.equal(userFromCertificate(undefined, true), undefined);
  });

  let server: AgentServer;
  let clientCa: CertificateAndKey;
  const seen: string[] = [];
  before(async () => {
    clientCa = await createCertificateAuthority('h4-client-ca');
    server = await startAgentServer({
      runtime: {
        exec: async () => 'ws://127.0.0.1:1/exec',
        attach: async () => 'ws://127.0.0.1:1/attach',
        portForward: async () => 'ws://127.0.0.1:1/pf',
        containerStatus: async () => ({ state: 'running' }) as never,
      },
      locator: { locate: async () => undefined },
      auth: {
        authenticate: async (t) => (t === 'tok' ? { name: 'token-user', groups: [] } : undefined),
        authorize: async (u, a) => {
          seen.push(`${u.name} [${u.groups.join(',')}] ${a.verb} nodes/${a.subresource}`);
          return { allowed: u.groups.includes('devs') || u.name === 'token-user' };
        },
      },
      clientCaPem: clientCa.certPem,
      port: 0,
      host: '127.0.0.1',
      nodeName: 'node-cert',
      documents: { '/metrics': async () => ({ contentType: 'text/plain', body: 'up 1\n' }) },
    });
  });
  after(async () => server?.stop());

  function get(path: string, client?: CertificateAndKey, token?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          rejectUnauthorized: false,
          ...(client ? { cert: client.certPem, key: client.keyPem } : {}),
          headers: token ? { authorization: `Bearer ${token}` } : {},
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  test('a certificate of the client CA authenticates as CN/O; others do not; tokens still work', async () => {
    seen.length = 0;
    const alice = await clientCertificate(clientCa, 'CN=alice, O=devs');
    assert.equal(await get('/metrics', alice), 200);
    assert.deepEqual(seen, ['alice [devs] get nodes/metrics']);
    const mallory = await clientCertificate(clientCa, 'CN=mallory, O=guests');
    assert.equal(await get('/metrics', mallory), 403, 'authenticated, not authorized');
    const otherCa = await createCertificateAuthority('someone-else');
    assert.equal(await get('/metrics', await clientCertificate(otherCa, 'CN=eve, O=devs')), 401);
    // A serving certificate of the same CA is not a client certificate.
    const serving = await createServingCertificate(clientCa, 'alice', { dnsNames: ['localhost'], ips: [] });
    assert.equal(await get('/metrics', serving), 401);
    assert.equal(await get('/metrics'), 401);
    assert.equal(await get('/metrics', undefined, 'tok'), 200);
  });
});
