// Client certificates and the CertificateSigningRequest flow against a real `tutti server` (controllers on,
// no agent), with openssl and the real kubectl: a CSR made by openssl is created, approved with
// `kubectl certificate approve`, signed by the client CA; kubectl with the certificate is alice (group devs);
// certificates of other CAs are refused with a 401; a node's CSR made with the join token is auto-approved;
// bad requests are 422s and the server stays up.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

interface Csr {
  spec: { username?: string; groups?: string[]; signerName: string };
  status?: {
    certificate?: string;
    conditions?: { type: string; status?: string; reason?: string; message?: string }[];
  };
}

const KUBELET_USAGES = ['digital signature', 'key encipherment', 'client auth'];

describe('CertificateSigningRequests and client certificates', { timeout: 240_000 }, () => {
  let s: TestServer;
  let dir: string;
  let nodeToken: string;
  /** node1's kubeconfig with the certificate the node CSR got. */
  let node1Kc: string | undefined;

  /** A P-256 key `<name>.key` and a CSR `<name>.csr` for the subject. */
  const makeCsr = (name: string, subj: string): string => {
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-subj',
        subj,
        '-out',
        `${name}.csr`,
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    return readFileSync(join(dir, `${name}.csr`), 'utf8');
  };
  const csrManifest = (name: string, pem: string, spec: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { name },
      spec: { request: Buffer.from(pem).toString('base64'), ...spec },
    });
  const getCsr = async (name: string) => JSON.parse(await s.k('get', 'csr', name, '-o', 'json')) as Csr;
  const issued = (name: string) =>
    pollUntil(
      `csr ${name} signed`,
      async () => {
        const cert = (await getCsr(name)).status?.certificate;
        return cert ? Buffer.from(cert, 'base64').toString('utf8') : undefined;
      },
      30_000,
      200,
    );
  /** A kubeconfig that authenticates with the client certificate `<name>.crt` / `<name>.key` only. */
  const certKubeconfig = (name: string, certPem: string) => {
    writeFileSync(join(dir, `${name}.crt`), certPem);
    const path = join(dir, `${name}.kubeconfig`);
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: { server: s.url, 'certificate-authority-data': Buffer.from(s.caPem).toString('base64') },
          },
        ],
        users: [
          {
            name: 'u',
            user: { 'client-certificate': join(dir, `${name}.crt`), 'client-key': join(dir, `${name}.key`) },
          },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    return path;
  };
  /** GET over TLS with a client certificate (and optionally a bearer token), without kubectl choosing. */
  const getWithCert = (path: string, certPem: string, keyPem: string, token?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${s.url}${path}`,
        { ca: s.caPem, cert: certPem, key: keyPem, headers: token ? { Authorization: `Bearer ${token}` } : {} },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  before(async () => {
    dir = mkdtempSync('/tmp/h3-csr-');
    s = await startTestServer({ controlPlane: true });
    nodeToken = readFileSync(join(s.dataDir, 'tls', 'node-token'), 'utf8').trim();
  });
  after(async () => {
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an openssl CSR is approved with kubectl, signed by the client CA, and kubectl with it is alice', async () => {
    const pem = makeCsr('alice', '/CN=alice/O=devs');
    await s.kubectl(['create', '-f', '-'], {
      input: csrManifest('alice', pem, {
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth'],
        expirationSeconds: 3600,
        username: 'mallory',
        groups: ['system:masters'],
      }),
    });
    const created = await getCsr('alice');
    // The server records who asked, whatever the client claimed.
    assert.equal(created.spec.username, 'system:admin');
    assert.deepEqual(created.spec.groups, ['system:masters', 'system:authenticated']);
    assert.match(
      await s.k('get', 'csr', 'alice'),
      /alice\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+system:admin\s+60m\s+Pending/,
    );
    assert.match(
      await s.k('certificate', 'approve', 'alice'),
      /certificatesigningrequest.certificates.k8s.io\/alice approved/,
    );
    const certPem = await issued('alice');
    const cert = new X509Certificate(certPem);
    const clientCa = new X509Certificate(readFileSync(join(s.dataDir, 'tls', 'client-ca.crt'), 'utf8'));
    assert.equal(cert.checkIssued(clientCa), true);
    assert.equal(cert.verify(clientCa.publicKey), true);
    assert.match(cert.subject, /CN=alice/);
    const hours = (Date.parse(cert.validTo) - Date.now()) / 3600_000;
    assert.ok(hours > 0.9 && hours <= 1, `valid for ${hours} h`);
    assert.match(await s.k('get', 'csr', 'alice'), /Approved,Issued/);

    const kc = certKubeconfig('alice', certPem);
    const who = await s.kubectl(['--kubeconfig', kc, 'auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const review = JSON.parse(who.stdout) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.equal(review.status.userInfo.username, 'alice');
    assert.deepEqual(review.status.userInfo.groups, ['devs', 'system:authenticated']);
    const pods = await s.kubectl(['--kubeconfig', kc, 'get', 'pods']);
    assert.equal(pods.code, 1);
    assert.match(pods.stderr, /User "alice" cannot list resource "pods"/);
  });

  it('certificates the client CA did not issue are refused with a 401, even claiming system:masters', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        'self.key',
        '-out',
        'self.crt',
        '-subj',
        '/CN=system:admin/O=system:masters',
        '-addext',
        'extendedKeyUsage=clientAuth',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    // Signed by the serving CA (trusted for TLS, not for clients).
    makeCsr('forged', '/CN=system:admin/O=system:masters');
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        'forged.csr',
        '-CA',
        join(s.dataDir, 'tls', 'ca.crt'),
        '-CAkey',
        join(s.dataDir, 'tls', 'ca.key'),
        '-CAcreateserial',
        '-out',
        'forged.crt',
        '-days',
        '1',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    // TokenReview still reviews bearer tokens only: the join token is only a bootstrapper.
    const review = await s.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: nodeToken },
    });
    assert.equal(review.status, 201, review.body);
    assert.deepEqual((JSON.parse(review.body) as { status: unknown }).status, {
      authenticated: true,
      user: { username: 'system:bootstrap:node', groups: ['system:bootstrappers', 'system:authenticated'] },
    });
    for (const name of ['self', 'forged']) {
      const certPem = readFileSync(join(dir, `${name}.crt`), 'utf8');
      const keyPem = readFileSync(join(dir, `${name}.key`), 'utf8');
      const r = await getWithCert('/api/v1/namespaces', certPem, keyPem);
      assert.equal(r.status, 401, `${name}: ${r.body}`);
      assert.equal((JSON.parse(r.body) as { reason: string }).reason, 'Unauthorized');
      const k = await s.kubectl(['--kubeconfig', certKubeconfig(name, certPem), 'get', 'namespaces']);
      assert.equal(k.code, 1);
      assert.match(k.stderr, /Unauthorized/);
      // A bearer token still authenticates beside a certificate that does not (upstream's union authenticator).
      const withToken = await getWithCert('/api/v1/namespaces', certPem, keyPem, s.token);
      assert.equal(withToken.status, 200);
    }
  });

  it('a node CSR made with the join token is auto-approved and signed; the node is system:node:<name>', async () => {
    const pem = makeCsr('node1', '/CN=system:node:node1/O=system:nodes');
    const r = await s.kubectl(['--token', nodeToken, 'create', '-f', '-'], {
      input: csrManifest('node-csr-node1', pem, {
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: KUBELET_USAGES,
      }),
    });
    assert.equal(r.code, 0, r.stderr);
    const certPem = await issued('node-csr-node1');
    const csr = await getCsr('node-csr-node1');
    assert.equal(csr.spec.username, 'system:bootstrap:node');
    assert.deepEqual(csr.spec.groups, ['system:bootstrappers', 'system:authenticated']);
    const approved = csr.status?.conditions?.find((c) => c.type === 'Approved');
    assert.equal(approved?.reason, 'AutoApproved');
    assert.equal(approved?.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
    const who = JSON.parse(
      await s.k('--kubeconfig', certKubeconfig('node1', certPem), 'auth', 'whoami', '-o', 'json'),
    ) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.equal(who.status.userInfo.username, 'system:node:node1');
    assert.deepEqual(who.status.userInfo.groups, ['system:nodes', 'system:authenticated']);
    // Renewal with the node's own certificate: selfnodeclient. Asking for another node's name is not approved.
    const nodeKc = certKubeconfig('node1', certPem);
    node1Kc = nodeKc;
    const renew = makeCsr('node1-renew', '/CN=system:node:node1/O=system:nodes');
    await s.kubectl(['--kubeconfig', nodeKc, 'create', '-f', '-'], {
      input: csrManifest('node1-renew', renew, {
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: KUBELET_USAGES,
      }),
    });
    await issued('node1-renew');
    const renewed = await getCsr('node1-renew');
    assert.equal(renewed.spec.username, 'system:node:node1');
    assert.equal(
      renewed.status?.conditions?.find((c) => c.type === 'Approved')?.message,
      'Auto approving self kubelet client certificate after SubjectAccessReview.',
    );
    const steal = makeCsr('node1-steal', '/CN=system:node:node3/O=system:nodes');
    const stealing = await s.kubectl(['--kubeconfig', nodeKc, 'create', '-f', '-'], {
      input: csrManifest('node1-steal', steal, {
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: KUBELET_USAGES,
      }),
    });
    assert.equal(stealing.code, 0, stealing.stderr);
    // A client-signer CSR from the same bootstrap identity is not auto-approved.
    const other = makeCsr('node2', '/CN=system:node:node2/O=system:nodes');
    await s.kubectl(['--token', nodeToken, 'create', '-f', '-'], {
      input: csrManifest('node2-client', other, {
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth'],
      }),
    });
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal((await getCsr('node2-client')).status?.conditions?.length ?? 0, 0);
    assert.equal((await getCsr('node1-steal')).status?.conditions?.length ?? 0, 0);
  });

  it("node1's certificate reads only what its pods use and modifies no other node", async () => {
    assert.ok(node1Kc, 'the node CSR test ran first');
    const objects = [
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1' } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node2' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'used', namespace: 'default' }, data: { k: 'dg==' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'lonely', namespace: 'default' }, data: { k: 'dg==' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'on-node1', namespace: 'default' },
        spec: {
          nodeName: 'node1',
          automountServiceAccountToken: false,
          containers: [{ name: 'c', image: 'busybox' }],
          volumes: [{ name: 's', secret: { secretName: 'used' } }],
        },
      },
    ];
    const made = await s.kubectl(['create', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') });
    assert.equal(made.code, 0, made.stderr);
    const asNode = (...args: string[]) => s.kubectl(['--kubeconfig', node1Kc!, ...args]);
    await pollUntil(
      'node1 may read the secret of its pod',
      async () => ((await asNode('get', 'secret', 'used')).code === 0 ? true : undefined),
      10_000,
    );
    const lonely = await asNode('get', 'secret', 'lonely');
    assert.equal(lonely.code, 1);
    assert.match(
      lonely.stderr,
      /Error from server \(Forbidden\): secrets "lonely" is forbidden: User "system:node:node1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'node1' and this object/,
    );
    assert.match(
      (await asNode('get', 'secrets')).stderr,
      /secrets is forbidden: User "system:node:node1" cannot list resource "secrets" in API group "" in the namespace "default"/,
    );
    const label = await asNode('label', 'node', 'node2', 'stolen=yes');
    assert.equal(label.code, 1);
    assert.match(label.stderr, /nodes "node2" is forbidden: node "node1" is not allowed to modify node "node2"/);
    assert.match(
      (await asNode('delete', 'node', 'node2')).stderr,
      /nodes "node2" is forbidden: User "system:node:node1" cannot delete resource "nodes" in API group "" at the cluster scope/,
    );
    assert.equal((await asNode('label', 'node', 'node1', 'mine=yes')).code, 0, 'its own Node it may label');
    const node2 = JSON.parse(await s.k('get', 'node', 'node2', '-o', 'json'));
    assert.equal(node2.metadata.labels?.stolen, undefined, 'node2 is unchanged');
    // the pod gone, so is the secret
    await s.k('delete', 'pod', 'on-node1', '--grace-period=0', '--force');
    await pollUntil(
      'node1 loses the secret',
      async () => ((await asNode('get', 'secret', 'used')).code === 1 ? true : undefined),
      10_000,
    );
  });

  it('CSR garbage: a broken self-signature is a 422; a kubelet-signer request not for system:node:<name> is never signed', async () => {
    // An openssl request whose subject is changed after signing: the signature no longer verifies.
    const pem = makeCsr('tampered', '/CN=tampered-aaaa');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const at = der.indexOf('tampered-aaaa');
    assert.ok(at > 0);
    der.write('tampered-bbbb', at, 'latin1');
    const b64lines = der.toString('base64').replace(/.{64}/g, '$&\n');
    const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${b64lines}\n-----END CERTIFICATE REQUEST-----\n`;
    const sig = await s.kubectl(['create', '-f', '-'], {
      input: csrManifest('tampered', forged, {
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth'],
      }),
    });
    assert.equal(sig.code, 1);
    assert.match(
      sig.stderr,
      /The CertificateSigningRequest "tampered" is invalid: spec.request: Invalid value: .*x509: ECDSA verification failure/,
    );
    // not PEM at all, and PEM of something else
    for (const [name, body] of [
      ['not-pem', Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff]).toString('latin1')],
      ['a-key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
      ['bad-der', '-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n'],
    ] as const) {
      const r = await s.kubectl(['create', '-f', '-'], {
        input: csrManifest(name, body, {
          signerName: 'kubernetes.io/kube-apiserver-client',
          usages: ['client auth'],
        }),
      });
      assert.equal(r.code, 1, name);
      assert.match(r.stderr, new RegExp(`"${name}" is invalid: spec.request: Invalid value`), `${name}: ${r.stderr}`);
    }
    const names = (await s.k('get', 'csr', '-o', 'name')).split('\n');
    for (const n of ['tampered', 'not-pem', 'a-key', 'bad-der'])
      assert.ok(!names.includes(`certificatesigningrequest.certificates.k8s.io/${n}`), `${n} was not stored`);

    // The kubelet signer with the join token, for names that are not a node's: not auto-approved; an
    // administrator's approval ends in Failed with upstream's reason, and nothing is signed.
    const cases = [
      ['kubelet-alice', '/CN=alice/O=system:nodes', 'subject common name does not begin with system:node:'],
      ['kubelet-masters', '/CN=system:node:node9/O=system:masters', 'subject organization is not system:nodes'],
      ['kubelet-two-orgs', '/CN=system:node:node9/O=system:nodes/O=devs', 'subject organization is not system:nodes'],
    ] as const;
    for (const [name, subj] of cases) {
      const r = await s.kubectl(['--token', nodeToken, 'create', '-f', '-'], {
        input: csrManifest(name, makeCsr(name, subj), {
          signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
          usages: KUBELET_USAGES,
        }),
      });
      assert.equal(r.code, 0, r.stderr);
    }
    // a node request with the wrong usages is not auto-approved either
    await s.kubectl(['--token', nodeToken, 'create', '-f', '-'], {
      input: csrManifest('kubelet-server-usage', makeCsr('kubelet-su', '/CN=system:node:node9/O=system:nodes'), {
        signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
        usages: ['digital signature', 'server auth'],
      }),
    });
    await new Promise((res) => setTimeout(res, 1500));
    for (const name of [...cases.map((c) => c[0]), 'kubelet-server-usage'])
      assert.equal((await getCsr(name)).status?.conditions?.length ?? 0, 0, `${name} is still pending`);
    for (const [name, , message] of cases) {
      await s.k('certificate', 'approve', name);
      const failed = await pollUntil(
        `${name} failed`,
        async () => (await getCsr(name)).status?.conditions?.find((c) => c.type === 'Failed'),
        30_000,
        200,
      );
      assert.equal(failed.reason, 'SignerValidationFailure');
      assert.equal(failed.message, message);
      assert.equal((await getCsr(name)).status?.certificate, undefined);
    }
  });

  it('bad requests are 422s with upstream messages; system:masters and wrong usages are refused', async () => {
    const pem = makeCsr('bad', '/CN=bad');
    const create = (name: string, spec: Record<string, unknown>) =>
      s.kubectl(['create', '-f', '-'], { input: csrManifest(name, pem, spec) });
    const garbage = await s.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name: 'garbage' },
        spec: {
          request: Buffer.from('not a csr').toString('base64'),
          signerName: 'kubernetes.io/kube-apiserver-client',
          usages: ['client auth'],
        },
      }),
    });
    assert.equal(garbage.code, 1);
    assert.match(
      garbage.stderr,
      /is invalid: spec.request: Invalid value: .*PEM block type must be CERTIFICATE REQUEST/,
    );
    const signer = await create('bad-signer', { signerName: 'kubernetes', usages: ['client auth'] });
    assert.match(
      signer.stderr,
      /spec.signerName: Invalid value: "kubernetes": must be a fully qualified domain and path of the form 'example.com\/signer-name'/,
    );
    const usage = await create('bad-usage', { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['flying'] });
    assert.match(usage.stderr, /spec.usages\[0\]: Unsupported value: "flying"/);
    const short = await create('bad-duration', {
      signerName: 'kubernetes.io/kube-apiserver-client',
      usages: ['client auth'],
      expirationSeconds: 60,
    });
    assert.match(
      short.stderr,
      /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds/,
    );

    const masters = makeCsr('masters', '/CN=eve/O=system:masters');
    const m = await s.kubectl(['create', '-f', '-'], {
      input: csrManifest('masters', masters, {
        signerName: 'kubernetes.io/kube-apiserver-client',
        usages: ['client auth'],
      }),
    });
    assert.equal(m.code, 1);
    assert.match(
      m.stderr,
      /\(Forbidden\).*"masters" is forbidden: use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/,
    );

    // Approved, but the usages do not fit the signer: Failed, never signed.
    await create('server-usage', { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['server auth'] });
    await s.k('certificate', 'approve', 'server-usage');
    const failed = await pollUntil(
      'server-usage failed',
      async () => (await getCsr('server-usage')).status?.conditions?.find((c) => c.type === 'Failed'),
      30_000,
      200,
    );
    assert.equal(failed.reason, 'SignerValidationFailure');
    assert.equal(failed.message, 'invalid usage for client certificate: server auth');
    assert.equal((await getCsr('server-usage')).status?.certificate, undefined);

    // Approved and Denied together: 422.
    const csr = JSON.parse(await s.k('get', 'csr', 'server-usage', '-o', 'json')) as Csr & Record<string, unknown>;
    csr.status!.conditions!.push({ type: 'Denied', reason: 'No' });
    const both = await s.request(
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/server-usage/approval',
      csr,
    );
    assert.equal(both.status, 422, both.body);
    assert.match(both.body, /Approved and Denied conditions are mutually exclusive/);

    // A user who may update approvals but not approve for the signer is refused.
    await s.k(
      'create',
      'clusterrole',
      'csr-approver',
      '--verb=get,update',
      '--resource=certificatesigningrequests,certificatesigningrequests/approval',
    );
    await s.k('create', 'clusterrolebinding', 'jane-approves', '--clusterrole=csr-approver', '--user=jane');
    await create('for-jane', { signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] });
    const denied = await pollUntil(
      'jane may update approvals',
      async () => {
        const r = await s.kubectl(['--as=jane', 'certificate', 'approve', 'for-jane']);
        return r.stderr.includes('cannot') ? undefined : r;
      },
      10_000,
    );
    assert.match(
      denied.stderr,
      /user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/,
    );

    // A status write may not approve (the approval subresource owns the conditions).
    const pending = JSON.parse(await s.k('get', 'csr', 'for-jane', '-o', 'json')) as Csr & Record<string, unknown>;
    pending.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Sneaky' }] };
    const viaStatus = await s.request(
      'PUT',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests/for-jane/status',
      pending,
    );
    assert.equal(viaStatus.status, 200, viaStatus.body);
    assert.equal((await getCsr('for-jane')).status?.conditions?.length ?? 0, 0);

    // Denied: never signed.
    assert.match(
      await s.k('certificate', 'deny', 'for-jane'),
      /certificatesigningrequest.certificates.k8s.io\/for-jane denied/,
    );
    await new Promise((res) => setTimeout(res, 1000));
    const deniedCsr = await getCsr('for-jane');
    assert.deepEqual(
      deniedCsr.status?.conditions?.map((c) => [c.type, c.reason]),
      [['Denied', 'KubectlDeny']],
    );
    assert.equal(deniedCsr.status?.certificate, undefined);
    assert.match(await s.k('get', 'csr', 'for-jane'), /Denied\s*$/m);

    const ready = await s.request('GET', '/readyz');
    assert.equal(ready.status, 200);
  });
});
