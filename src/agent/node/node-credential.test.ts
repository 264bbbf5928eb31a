import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { ApiClient } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import { signCertificateRequest } from '../../pki/index.js';
import { createCertificateAuthority } from '../../pki/certificates.js';
import { NodeCredential, nodeCertificatePaths, requestNodeCertificates } from './node-credential.js';

const GROUP = 'certificates.k8s.io';
const CSRS = 'certificatesigningrequests';

type Csr = KubeObject & {
  spec?: { request?: string; signerName?: string; usages?: string[] };
  status?: { certificate?: string; conditions?: { type: string; status: string; reason?: string }[] };
};

describe('NodeCredential (kubelet TLS bootstrap) against a fake API server with a signer', () => {
  let fake: FakeApiServer;
  let dir: string;
  let signer: NodeJS.Timeout;
  let lister: ApiClient;
  /** What the fake signer does with a new CSR. */
  let decide: (csr: Csr) => 'sign' | 'deny' | 'wait' = () => 'sign';
  const seen: Csr[] = [];

  before(async () => {
    fake = await FakeApiServer.start();
    dir = mkdtempSync(join(tmpdir(), 'h3b-cred-'));
    const ca = await createCertificateAuthority('test-client-ca');
    const busy = new Set<string>();
    lister = new ApiClient({ server: fake.url });
    let listing = false;
    signer = setInterval(async () => {
      if (listing) return;
      listing = true;
      const all = await lister.list<Csr>('/apis/certificates.k8s.io/v1/certificatesigningrequests').finally(() => {
        listing = false;
      });
      for (const csr of all.items) {
        const name = csr.metadata.name ?? '';
        if (csr.status?.certificate || csr.status?.conditions?.length || busy.has(name)) continue;
        const what = decide(csr);
        if (what === 'wait') continue;
        busy.add(name);
        seen.push(structuredClone(csr));
        if (what === 'deny') {
          fake.put(GROUP, CSRS, {
            ...csr,
            status: { conditions: [{ type: 'Denied', status: 'True', reason: 'TestDenied', message: 'no' }] },
          } as KubeObject);
          continue;
        }
        const pem = Buffer.from(csr.spec?.request ?? '', 'base64').toString();
        void signCertificateRequest(ca, pem, { usages: csr.spec?.usages ?? [], durationMs: 3600_000 }).then((cert) =>
          fake.put(GROUP, CSRS, {
            ...csr,
            status: { certificate: Buffer.from(cert).toString('base64') },
          } as KubeObject),
        );
      }
    }, 20);
  });
  after(async () => {
    clearInterval(signer);
    await new Promise((r) => setTimeout(r, 50));
    lister.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bootstraps with the join token, writes the certificate 0600, and reuses it on the next start', async () => {
    const opts = { server: fake.url, caPem: '', bootstrapToken: 'K10x::server:s', nodeName: 'n1', dataDir: dir };
    const cred = await NodeCredential.obtain(opts);
    assert.match(cred.csrName ?? '', /^node-csr-/);
    const csr = seen.at(-1)!;
    assert.equal(csr.spec?.signerName, 'kubernetes.io/kube-apiserver-client-kubelet');
    assert.deepEqual(csr.spec?.usages, ['digital signature', 'client auth']);
    const paths = nodeCertificatePaths(dir);
    assert.equal(readFileSync(paths.cert, 'utf8'), cred.certificate.certPem);
    assert.equal(statSync(paths.cert).mode & 0o777, 0o600);
    assert.equal(statSync(paths.key).mode & 0o777, 0o600);
    const post = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith(CSRS))!;
    assert.equal(post.userAgent, 'tutti-agent-bootstrap/n1');

    const before = seen.length;
    const again = await NodeCredential.obtain(opts);
    assert.equal(again.csrName, undefined, 'read from disk');
    assert.equal(again.certificate.certPem, cred.certificate.certPem);
    assert.equal(seen.length, before, 'no new CSR');

    // another node name in the same dir does not take it
    decide = () => 'sign';
    const other = await NodeCredential.obtain({ ...opts, nodeName: 'n2' });
    assert.notEqual(other.certificate.certPem, cred.certificate.certPem);
  });

  it('a certificate on disk that the server refuses (401: another cluster) is replaced by a new one', async () => {
    const opts = { server: fake.url, caPem: '', bootstrapToken: 't', nodeName: 'n7', dataDir: join(dir, 'n7') };
    const first = await NodeCredential.obtain(opts);
    fake.fault = (r) => (r.path.endsWith('/selfsubjectreviews') ? 401 : undefined);
    try {
      const again = await NodeCredential.obtain(opts);
      assert.match(again.csrName ?? '', /^node-csr-/, 'asked anew');
      assert.notEqual(again.certificate.certPem, first.certificate.certPem);
    } finally {
      fake.fault = undefined;
    }
  });

  it('renews with a new CSR (generateName csr-) made with the current certificate, and rewrites the files', async () => {
    const opts = { server: fake.url, caPem: '', bootstrapToken: 't', nodeName: 'n3', dataDir: join(dir, 'n3') };
    const cred = await NodeCredential.obtain(opts);
    const client = cred.client({ userAgent: 'x' });
    const first = cred.certificate.certPem;
    await cred.renew();
    assert.equal(cred.renewals, 1);
    assert.notEqual(cred.certificate.certPem, first);
    assert.equal(readFileSync(nodeCertificatePaths(opts.dataDir).cert, 'utf8'), cred.certificate.certPem);
    const renewal = fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith(CSRS)).at(-1)!;
    assert.equal(renewal.userAgent, 'tutti-agent/n3');
    assert.match((JSON.parse(renewal.body) as Csr).metadata.generateName ?? '', /^csr-/);
    client.close();
  });

  it('without a data dir (simulated nodes): issued() renews in memory only', async () => {
    const bootstrap = new ApiClient({ server: fake.url });
    const got = await requestNodeCertificates(bootstrap, ['s-0', 's-1'], { concurrency: 2 });
    bootstrap.close();
    assert.deepEqual([...got.keys()].sort(), ['s-0', 's-1']);
    const cred = NodeCredential.issued(
      { server: fake.url, caPem: '', bootstrapToken: 't', nodeName: 's-0' },
      got.get('s-0')!,
    );
    const first = cred.certificate.certPem;
    await cred.renew();
    assert.notEqual(cred.certificate.certPem, first);
    assert.equal(cred.renewals, 1);
  });

  it('a timer renews at the deadline', async () => {
    const opts = {
      server: fake.url,
      caPem: '',
      bootstrapToken: 't',
      nodeName: 'n4',
      dataDir: join(dir, 'n4'),
      renewAt: () => new Date(Date.now() + 50),
    };
    const cred = await NodeCredential.obtain(opts);
    cred.start();
    const deadline = Date.now() + 5000;
    while (cred.renewals < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    cred.stop();
    assert.ok(cred.renewals >= 1);
  });

  it('a denied CSR fails with its name and reason; an unanswered one times out naming it', async () => {
    decide = () => 'deny';
    await assert.rejects(
      NodeCredential.obtain({
        server: fake.url,
        caPem: '',
        bootstrapToken: 't',
        nodeName: 'n5',
        dataDir: join(dir, 'n5'),
      }),
      /CertificateSigningRequest node-csr-\S+ was not signed: Denied \(TestDenied\): no/,
    );
    decide = () => 'wait';
    await assert.rejects(
      NodeCredential.obtain({
        server: fake.url,
        caPem: '',
        bootstrapToken: 't',
        nodeName: 'n6',
        dataDir: join(dir, 'n6'),
        timeoutMs: 300,
      }),
      /CertificateSigningRequest node-csr-\S+ was not approved and signed within 0 s \(approve it with: kubectl certificate approve node-csr-/,
    );
    decide = () => 'sign';
  });
});
