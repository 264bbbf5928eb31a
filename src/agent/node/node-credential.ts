// The node's own client credential (the kubelet's TLS bootstrap, pkg/kubelet/certificate/bootstrap, and its
// certificate manager, k8s.io/client-go/util/certificate):
//   start: <dataDir>/tls/node.crt + node.key for this node and > 20% of their lifetime left -> use them;
//          else key + CSR (CN system:node:<name>, O system:nodes) -> CertificateSigningRequest with signer
//          kubernetes.io/kube-apiserver-client-kubelet, made with the join token (a bootstrapper) -> watch until
//          status.certificate (or Denied/Failed, or a timeout) -> write both files 0600.
//   renewal: at a jittered 70-90% of the lifetime, a new CSR made with the current certificate; every attached
//          ApiClient swaps to the new one (setCredentials) without a restart.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, type ApiClientOptions, isAlreadyExists, isApiError, isNotFound } from '../../client/index.js';
import type { Stored } from '../../core/types.js';
import type * as certificatesv1 from 'kubernetes-types/certificates/v1.js';
import {
  bootstrapCsrName,
  createNodeCsr,
  KUBELET_CLIENT_SIGNER,
  KUBELET_CLIENT_USAGES,
  nodeCertificateInfo,
  rotationDeadline,
  unusableNodeCertificate,
  writeFileAtomic,
} from '../../pki/index.js';

type CertificateSigningRequest = Stored<certificatesv1.CertificateSigningRequest>;

const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

export interface NodeCertificate {
  certPem: string;
  keyPem: string;
}

export type CredentialLog = (message: string, fields: Record<string, unknown>) => void;

export function nodeCertificatePaths(dataDir: string): { cert: string; key: string } {
  return { cert: join(dataDir, 'tls', 'node.crt'), key: join(dataDir, 'tls', 'node.key') };
}

/** The certificate on disk when it is usable by this node; else undefined and why (for the log). */
export function readNodeCertificate(
  dataDir: string,
  nodeName: string,
  now = Date.now(),
): { cert?: NodeCertificate; why?: string } {
  const p = nodeCertificatePaths(dataDir);
  if (!existsSync(p.cert) || !existsSync(p.key)) return { why: 'no certificate yet' };
  const cert = { certPem: readFileSync(p.cert, 'utf8'), keyPem: readFileSync(p.key, 'utf8') };
  const why = unusableNodeCertificate(cert.certPem, cert.keyPem, nodeName, now);
  return why ? { why } : { cert };
}

export async function writeNodeCertificate(dataDir: string, cert: NodeCertificate): Promise<void> {
  const p = nodeCertificatePaths(dataDir);
  mkdirSync(join(dataDir, 'tls'), { recursive: true, mode: 0o700 });
  // Key first: a crash between the two leaves a certificate that does not match, which is then redone.
  await writeFileAtomic(p.key, cert.keyPem, 0o600);
  await writeFileAtomic(p.cert, cert.certPem, 0o600);
}

export interface RequestCertificateOptions {
  nodeName: string;
  /** How long to wait for approval and signing (default 5 minutes). */
  timeoutMs?: number;
  /** Name the CSR after its key and subject (bootstrap, as the kubelet does) rather than generateName `csr-`. */
  bootstrapName?: boolean;
  log?: CredentialLog;
}

/**
 * Creates a CertificateSigningRequest for the node's client certificate with `client`'s credentials and waits
 * for the signed certificate.
 */
export async function requestNodeCertificate(
  client: ApiClient,
  opts: RequestCertificateOptions,
): Promise<NodeCertificate & { csrName: string }> {
  const { csrPem, keyPem } = await createNodeCsr(opts.nodeName);
  const name = opts.bootstrapName ? bootstrapCsrName(csrPem, opts.nodeName) : undefined;
  const body: CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: name ? { name } : { generateName: 'csr-' },
    spec: {
      request: Buffer.from(csrPem).toString('base64'),
      signerName: KUBELET_CLIENT_SIGNER,
      usages: [...KUBELET_CLIENT_USAGES],
    },
  };
  let created: CertificateSigningRequest;
  try {
    created = await client.create<CertificateSigningRequest>(CSR_PATH, body);
  } catch (err) {
    if (!name || !isAlreadyExists(err)) throw err;
    created = await client.get<CertificateSigningRequest>(`${CSR_PATH}/${name}`);
  }
  const csrName = created.metadata.name ?? '';
  opts.log?.('certificate signing request created', { node: opts.nodeName, csr: csrName });
  const signed = await waitForCertificate(client, created, opts.timeoutMs ?? 5 * 60_000);
  return { certPem: signed, keyPem, csrName };
}

/** What a CSR's status says: its certificate (PEM), a refusal, or nothing yet. */
export function csrOutcome(csr: CertificateSigningRequest): { certPem?: string; refused?: string } {
  for (const c of csr.status?.conditions ?? []) {
    if ((c.type === 'Denied' || c.type === 'Failed') && c.status !== 'False') {
      return { refused: `${c.type}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}` };
    }
  }
  const cert = csr.status?.certificate;
  if (cert) return { certPem: Buffer.from(cert, 'base64').toString('utf8') };
  return {};
}

/** Watches the CSR until it has a certificate; rejects when it is denied, failed, deleted or the time is up. */
export function waitForCertificate(
  client: ApiClient,
  csr: CertificateSigningRequest,
  timeoutMs: number,
): Promise<string> {
  const name = csr.metadata.name ?? '';
  return new Promise<string>((resolve, reject) => {
    let done = false;
    let handle: { stop(): void } | undefined;
    let retry: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, cert?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(retry);
      handle?.stop();
      if (err) reject(err);
      else resolve(cert!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `CertificateSigningRequest ${name} was not approved and signed within ${Math.round(timeoutMs / 1000)} s ` +
              `(approve it with: kubectl certificate approve ${name})`,
          ),
        ),
      timeoutMs,
    );
    const look = (obj: CertificateSigningRequest): boolean => {
      const o = csrOutcome(obj);
      if (o.refused) finish(new Error(`CertificateSigningRequest ${name} was not signed: ${o.refused}`));
      else if (o.certPem) finish(undefined, o.certPem);
      return done;
    };
    const watchFrom = (rv: string | undefined) => {
      if (done) return;
      handle = client.watch<CertificateSigningRequest>(
        CSR_PATH,
        { fieldSelector: `metadata.name=${name}`, ...(rv ? { resourceVersion: rv } : {}), allowWatchBookmarks: 'true' },
        (ev) => {
          if (ev.type === 'DELETED')
            finish(new Error(`CertificateSigningRequest ${name} was deleted before it was signed`));
          else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
            look(ev.object);
            rv = ev.object.metadata.resourceVersion ?? rv;
          } else if (ev.type === 'BOOKMARK') rv = ev.object.metadata.resourceVersion ?? rv;
        },
        () => {
          // The stream ended (server timeout, 410, a broken connection): read it again and watch from there.
          if (!done) retry = setTimeout(() => void reread(), 500);
        },
      );
    };
    const reread = async () => {
      try {
        const obj = await client.get<CertificateSigningRequest>(`${CSR_PATH}/${name}`);
        if (!look(obj)) watchFrom(obj.metadata.resourceVersion);
      } catch (err) {
        if (isNotFound(err)) finish(new Error(`CertificateSigningRequest ${name} was deleted before it was signed`));
        else if (!done) retry = setTimeout(() => void reread(), 1000);
      }
    };
    if (!look(csr)) watchFrom(csr.metadata.resourceVersion);
  });
}

/**
 * Client certificates for many nodes at once (simulated nodes): one CSR per node with `client` (the join token),
 * at most `concurrency` waiting at a time. Returns them by node name; fails on the first that fails.
 */
export async function requestNodeCertificates(
  client: ApiClient,
  nodeNames: readonly string[],
  opts: { concurrency?: number; timeoutMs?: number } = {},
): Promise<Map<string, NodeCertificate>> {
  const out = new Map<string, NodeCertificate>();
  let next = 0;
  const worker = async () => {
    while (next < nodeNames.length) {
      const nodeName = nodeNames[next++]!;
      const got = await requestNodeCertificate(client, { nodeName, bootstrapName: true, timeoutMs: opts.timeoutMs });
      out.set(nodeName, { certPem: got.certPem, keyPem: got.keyPem });
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 32, nodeNames.length) }, worker));
  return out;
}

export interface NodeCredentialOptions {
  server: string;
  caPem: string;
  /** The join token: used only to ask for the first certificate. */
  bootstrapToken: string;
  nodeName: string;
  /** The agent's data dir; the credential is <dataDir>/tls/node.crt and node.key. None: kept in memory only. */
  dataDir?: string;
  timeoutMs?: number;
  log?: CredentialLog;
  /** For tests: the renewal time (default a jittered 70-90% of the lifetime). */
  renewAt?: (cert: NodeCertificate) => Date;
}

/**
 * The node's client certificate, its file, the API clients using it, and its renewal. `NodeCredential.obtain()`
 * reuses or bootstraps it; `client()` makes an ApiClient that authenticates with it (and follows renewals).
 */
export class NodeCredential {
  private readonly clients = new Set<ApiClient>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Renewals done (for tests and logs). */
  renewals = 0;

  private constructor(
    private readonly opts: NodeCredentialOptions,
    private current: NodeCertificate,
    /** The CSR that made the current certificate; undefined when it was read from disk. */
    readonly csrName: string | undefined,
  ) {}

  static async obtain(opts: NodeCredentialOptions): Promise<NodeCredential> {
    const log = opts.log ?? (() => {});
    const found = opts.dataDir ? readNodeCertificate(opts.dataDir, opts.nodeName) : { why: 'kept in memory only' };
    let why = found.why;
    if (found.cert) {
      // A certificate of another cluster (the server's data dir was reset) is refused with a 401: ask anew.
      // Any other failure (the server not up yet) keeps it, as the kubelet does.
      const refused = await refusedByServer(opts, found.cert);
      if (!refused) {
        log('using the node certificate on disk', { node: opts.nodeName, ...expiry(found.cert) });
        return new NodeCredential(opts, found.cert, undefined);
      }
      why = `the server refuses the certificate on disk: ${refused}`;
    }
    log('requesting a node certificate', { node: opts.nodeName, why });
    const bootstrap = new ApiClient({
      server: opts.server,
      caPem: opts.caPem,
      token: opts.bootstrapToken,
      userAgent: `tutti-agent-bootstrap/${opts.nodeName}`,
    });
    try {
      const got = await requestNodeCertificate(bootstrap, {
        nodeName: opts.nodeName,
        timeoutMs: opts.timeoutMs,
        bootstrapName: true,
        log,
      });
      const cert = { certPem: got.certPem, keyPem: got.keyPem };
      if (opts.dataDir) await writeNodeCertificate(opts.dataDir, cert);
      log('node certificate issued', { node: opts.nodeName, csr: got.csrName, ...expiry(cert) });
      return new NodeCredential(opts, cert, got.csrName);
    } finally {
      bootstrap.close();
    }
  }

  /** A credential for a certificate already issued (simulated nodes: `requestNodeCertificates`), to renew it. */
  static issued(opts: NodeCredentialOptions, cert: NodeCertificate): NodeCredential {
    return new NodeCredential(opts, cert, undefined);
  }

  get certificate(): NodeCertificate {
    return this.current;
  }

  /** An ApiClient authenticating with this certificate; it follows renewals until closed or detach()ed. */
  client(options: Omit<ApiClientOptions, 'server' | 'caPem' | 'token' | 'certPem' | 'keyPem'> = {}): ApiClient {
    const c = new ApiClient({ ...options, server: this.opts.server, caPem: this.opts.caPem, ...this.current });
    this.clients.add(c);
    return c;
  }

  /** Makes an existing client follow this credential (it gets the current certificate now). */
  attach(client: ApiClient): void {
    client.setCredentials(this.current, 0);
    this.clients.add(client);
  }

  detach(client: ApiClient): void {
    this.clients.delete(client);
  }

  /** Starts the renewal timer. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Requests a new certificate with the current one, writes it and swaps every attached client to it. */
  async renew(): Promise<void> {
    const log = this.opts.log ?? (() => {});
    const self = new ApiClient({
      server: this.opts.server,
      caPem: this.opts.caPem,
      ...this.current,
      userAgent: `tutti-agent/${this.opts.nodeName}`,
    });
    try {
      const got = await requestNodeCertificate(self, {
        nodeName: this.opts.nodeName,
        timeoutMs: this.opts.timeoutMs,
        log,
      });
      const cert = { certPem: got.certPem, keyPem: got.keyPem };
      if (this.opts.dataDir) await writeNodeCertificate(this.opts.dataDir, cert);
      this.current = cert;
      this.renewals++;
      for (const c of this.clients) c.setCredentials(cert);
      log('node certificate renewed', { node: this.opts.nodeName, csr: got.csrName, ...expiry(cert) });
    } finally {
      self.close();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const info = nodeCertificateInfo(this.current.certPem);
    const at = this.opts.renewAt?.(this.current) ?? rotationDeadline(info.notBefore, info.notAfter);
    // setTimeout holds at most ~24.8 days; a longer wait is re-armed on the way.
    const delay = Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      if (Date.now() < at.getTime()) return this.schedule();
      this.renew().then(
        () => this.schedule(),
        (err: Error) => {
          this.opts.log?.('node certificate renewal failed; retrying', {
            node: this.opts.nodeName,
            error: err.message,
          });
          // client-go backs off; retry in a minute (the current certificate stays in use until it expires).
          if (!this.stopped) this.timer = setTimeout(() => this.schedule(), 60_000);
        },
      );
    }, delay);
    this.timer.unref();
  }
}

/** The server's 401 message when it does not accept the certificate; undefined when it does or cannot tell. */
async function refusedByServer(opts: NodeCredentialOptions, cert: NodeCertificate): Promise<string | undefined> {
  const probe = new ApiClient({
    server: opts.server,
    caPem: opts.caPem,
    ...cert,
    userAgent: `tutti-agent/${opts.nodeName}`,
  });
  try {
    await probe.create('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: {},
    });
    return undefined;
  } catch (err) {
    return isApiError(err) && err.code === 401 ? err.message : undefined;
  } finally {
    probe.close();
  }
}

function expiry(cert: NodeCertificate): Record<string, string> {
  const info = nodeCertificateInfo(cert.certPem);
  return { notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString() };
}
