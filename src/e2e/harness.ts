// Test support: runs a real `tutti server` as a child process on a free port with its own data dir, and
// runs the real kubectl against it with a fresh cache and HOME.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TUTTI_BIN = join(ROOT, 'bin', 'tutti.js');
/** The kubectl the tests run: `KUBECTL` (a path or a name on PATH, e.g. kubectl.1.27), else `kubectl`. */
export const KUBECTL = process.env.KUBECTL || 'kubectl';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestServer {
  url: string;
  dataDir: string;
  kubeconfig: string;
  token: string;
  caPem: string;
  process: ChildProcess;
  kubectl(
    args: string[],
    opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  k(...args: string[]): Promise<string>;
  /** Raw HTTPS request with the admin token. */
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
  /** Restarts on the same data dir and port. */
  restart(): Promise<void>;
  /**
   * With the control plane in the server: the requests of its own components (scheduler, controller manager,
   * metrics informers) that RBAC refused, one `user verb URI: message` line each, from an audit log the
   * harness keeps (only the components' own clients, user agent `tutti-*`: not a test using their tokens). A refusal is a rule missing from their bootstrap roles; `stop()` fails when there is one.
   */
  componentForbidden(): string[];
  /** The bearer token of one of the server's own components (<data-dir>/tls/<name>.token), to run it as that user. */
  componentToken(name: 'kube-scheduler' | 'kube-controller-manager' | 'metrics-scraper'): string;
  /** Every request of the server's components so far (from the same audit log; empty without the control plane). */
  componentRequests(): ComponentRequest[];
}

/** The users of the server's own components (src/pki COMPONENT_USERS). */
export const COMPONENT_USERS = [
  'system:kube-scheduler',
  'system:kube-controller-manager',
  'system:tutti:metrics-scraper',
];

const COMPONENT_AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
    users: [${COMPONENT_USERS.map((u) => JSON.stringify(u)).join(', ')}]
  - level: None
`;

export interface ComponentRequest {
  user: string;
  verb: string;
  uri: string;
  code: number;
  message?: string;
  userAgent?: string;
}

function componentRequests(auditLog: string): ComponentRequest[] {
  let text = '';
  try {
    text = readFileSync(auditLog, 'utf8');
  } catch {
    return [];
  }
  const out: ComponentRequest[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as {
      verb: string;
      requestURI: string;
      user: { username: string };
      userAgent?: string;
      responseStatus?: { code: number; message?: string };
    };
    const status = e.responseStatus;
    out.push({
      user: e.user.username,
      verb: e.verb,
      uri: e.requestURI,
      code: status?.code ?? 0,
      message: status?.message,
      userAgent: e.userAgent,
    });
  }
  return out;
}

function forbiddenIn(auditLog: string): string[] {
  return componentRequests(auditLog)
    .filter(
      (r) =>
        r.code === 403 &&
        COMPONENT_USERS.includes(r.user) &&
        r.userAgent?.startsWith('tutti-') &&
        // RBAC's refusals (upstream's messages), not admission's 403s such as a terminating namespace's
        / cannot \S+ (resource|path) |attempting to grant RBAC permissions/.test(r.message ?? ''),
    )
    .map((r) => `${r.user} ${r.verb} ${r.uri}: ${r.message ?? ''}`);
}

async function waitReady(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server not ready in ${timeoutMs} ms: ${out}${err}`)), timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('tutti server ready'));
      if (line) {
        clearTimeout(timer);
        resolvePromise((JSON.parse(line) as { url: string }).url);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}${err}`));
    });
  });
}

/**
 * `controlPlane: true` also runs the controller manager and the scheduler in the server; by default the
 * server is the bare API server, so tests can run the components they exercise in their own process.
 */
export async function startTestServer(
  opts: {
    args?: string[];
    dataDir?: string;
    controlPlane?: boolean;
    agent?: boolean;
    network?: boolean;
    /** false: no audit log of the components' requests (benchmarks: the server as a user runs it). */
    componentAudit?: boolean;
    /** Without the control plane, still run the CSR signer and approver (for agents that join: node certificates). */
    nodeCertificates?: boolean;
  } = {},
): Promise<TestServer> {
  const componentArgs = [
    ...(opts.controlPlane
      ? []
      : opts.nodeCertificates || opts.agent
        ? ['--controllers=csrsigning,csrapproving', '--disable-scheduler']
        : ['--disable-controllers', '--disable-scheduler']),
    ...(opts.agent ? ['--agent-port', '0'] : ['--disable-agent']),
    // The node's service proxy, DNS and ingress own machine-wide things (an nft table, a route, ports 53, 80
    // and 443 of the node address): only tests that ask for them (in a namespace of their own) run them.
    ...(opts.agent && !opts.network ? ['--disable=service-proxy,dns,ingress'] : []),
  ];
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tutti-e2e-'));
  const home = mkdtempSync(join(tmpdir(), 'tutti-home-'));
  // The components' refused requests (componentForbidden), unless the test audits with a policy of its own.
  const auditLog = join(home, 'component-audit.log');
  const audited =
    !!opts.controlPlane && opts.componentAudit !== false && !(opts.args ?? []).includes('--audit-policy-file');
  if (audited) writeFileSync(join(home, 'component-audit.yaml'), COMPONENT_AUDIT_POLICY);
  const auditArgs = audited
    ? ['--audit-policy-file', join(home, 'component-audit.yaml'), '--audit-log-path', auditLog]
    : [];
  let port = 0;
  const launch = async () => {
    // TUTTI_SERVER_NODE_ARGS passes flags to the server's node (e.g. --cpu-prof for profiling).
    const nodeArgs = process.env.TUTTI_SERVER_NODE_ARGS?.split(' ').filter((a) => a) ?? [];
    const proc = spawn(
      process.execPath,
      [
        ...nodeArgs,
        TUTTI_BIN,
        'server',
        '--data-dir',
        dataDir,
        '--port',
        String(port),
        '--bind-address',
        '127.0.0.1',
        ...componentArgs,
        ...auditArgs,
        ...(opts.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const url = await waitReady(proc, 60_000);
    port = Number(new URL(url).port);
    return { proc, url };
  };
  let { proc, url } = await launch();
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const kc = parseYaml(readFileSync(kubeconfig, 'utf8')) as {
    users: { user: { token?: string } }[];
    clusters: { cluster: { 'certificate-authority-data': string } }[];
  };
  // The admin kubeconfig holds a client certificate; raw requests use the admin bearer token beside it.
  const token = kc.users[0].user.token ?? readFileSync(join(dataDir, 'tls', 'admin.token'), 'utf8').trim();
  const caPem = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');

  const kubectl: TestServer['kubectl'] = (args, o = {}) =>
    new Promise((res) => {
      const child = spawn(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(home, 'cache'), ...args], {
        env: { ...process.env, HOME: home, KUBECONFIG: kubeconfig, ...o.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        res({ code: code ?? -1, stdout, stderr });
      });
      // kubectl may exit before it reads its input (a command that takes none): EPIPE is no test failure
      child.stdin.on('error', () => {});
      child.stdin.end(o.input ?? '');
    });

  const server: TestServer = {
    get url() {
      return url;
    },
    dataDir,
    kubeconfig,
    token,
    caPem,
    get process() {
      return proc;
    },
    kubectl,
    async k(...args) {
      const r = await kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async request(method, path, body, headers = {}) {
      const { request } = await import('node:https');
      return new Promise((res, rej) => {
        const text =
          body === undefined
            ? undefined
            : typeof body === 'string' || Buffer.isBuffer(body)
              ? body
              : JSON.stringify(body);
        const req = request(
          `${url}${path}`,
          {
            method,
            ca: caPem,
            headers: {
              Authorization: `Bearer ${token}`,
              ...(text !== undefined ? { 'Content-Type': 'application/json' } : {}),
              ...headers,
            },
          },
          (resp) => {
            let data = '';
            resp.on('data', (d: Buffer) => {
              data += d.toString();
            });
            resp.on('end', () => res({ status: resp.statusCode ?? 0, body: data, headers: resp.headers }));
          },
        );
        req.on('error', rej);
        if (text !== undefined) req.write(text);
        req.end();
      });
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      const refused = forbiddenIn(auditLog);
      rmSync(home, { recursive: true, force: true });
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (refused.length > 0)
        throw new Error(`the server's components were refused ${refused.length} requests:\n${refused.join('\n')}`);
    },
    componentForbidden: () => forbiddenIn(auditLog),
    componentToken: (name) => readFileSync(join(dataDir, 'tls', `${name}.token`), 'utf8').trim(),
    componentRequests: () => componentRequests(auditLog),
    async kill9() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await exited;
    },
    async restart() {
      ({ proc, url } = await launch());
    },
  };
  return server;
}

/**
 * Polls `fn` until it returns something other than undefined/false; errors count as "not yet" and the last
 * one is named in the failure, so a test fails with a reason instead of hanging.
 */
export async function pollUntil<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
