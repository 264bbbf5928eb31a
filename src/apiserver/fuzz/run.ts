// Runs seeded hostile requests against an API server over HTTPS and checks what issue 8 asks of it: no
// 5xx, the server alive and ready, its memory under a bound, and no object made by a refused request.
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import {
  FUZZ_NAMESPACE,
  FUZZ_SEEDS,
  type FuzzOptions,
  type FuzzRequest,
  fuzzRequest,
  rawFuzzRequest,
} from './cases.js';

export interface FuzzTarget {
  /** https://127.0.0.1:PORT */
  url: string;
  token: string;
  ca: string;
  /** The server's resident memory in bytes (its own process or this one). */
  rss: () => number;
}

export interface FuzzRun extends FuzzOptions {
  seed: number;
  count: number;
  /** Stop sending new requests after this long, whatever the count. */
  deadlineMs: number;
  concurrency?: number;
  /** One request in this many is raw HTTP bytes (bad lines, pipelines); 0: none. */
  rawEvery?: number;
}

export interface FuzzReport {
  sent: number;
  byStatus: Record<string, number>;
  byFamily: Record<string, Record<string, number>>;
  /** Requests answered with a 5xx, or not answered at all (first few). */
  failures: string[];
  /** Objects that exist although the request that would have made them was refused. */
  createdBy4xx: string[];
  peakRss: number;
  startRss: number;
  elapsedMs: number;
  ready: boolean;
}

interface Answer {
  status: number;
  body: string;
}

const REQUEST_TIMEOUT_MS = 20_000;
/**
 * How long a raw connection may stay silent. Million-level JSON bodies block the server's event loop for
 * seconds on a loaded machine, so this is generous; the hangs it is there to catch (HTTP/0.9 lines, bodies
 * cut short) were unbounded.
 */
const RAW_IDLE_MS = 20_000;

export async function runFuzz(target: FuzzTarget, run: FuzzRun): Promise<FuzzReport> {
  const { hostname, port } = new URL(target.url);
  const agent = new Agent({ keepAlive: true, maxSockets: run.concurrency ?? 8, ca: target.ca });
  const send = (req: Pick<FuzzRequest, 'method' | 'path' | 'headers' | 'body'>, auth = true) =>
    new Promise<Answer>((resolve) => {
      const headers: Record<string, string> = { ...req.headers };
      if (auth) headers.Authorization = `Bearer ${target.token}`;
      if (req.body) headers['Content-Length'] = String(req.body.length);
      let settled = false;
      const done = (a: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(a);
      };
      const r = request({ hostname, port, path: req.path, method: req.method, headers, agent }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          if (body.length < 4096) body += d.toString();
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, body }));
        res.on('error', () => done({ status: res.statusCode ?? 0, body }));
      });
      const timer = setTimeout(() => {
        r.destroy();
        done({ status: -1, body: 'no answer in time' });
      }, REQUEST_TIMEOUT_MS);
      r.on('error', (e) => done({ status: 0, body: `request error: ${e.message}` }));
      // CONNECT answers arrive as 'connect' whatever their status.
      r.on('connect', (res, socket) => {
        socket.destroy();
        done({ status: res.statusCode ?? 0, body: '' });
      });
      if (req.body) r.write(req.body);
      r.end();
    });
  const sendRaw = (bytes: Buffer) =>
    new Promise<number[]>((resolve) => {
      const chunks: Buffer[] = [];
      const socket = connect({ host: hostname, port: Number(port), ca: target.ca }, () => socket.write(bytes));
      const finish = () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('latin1');
        resolve([...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])));
      };
      // A connection may stay open after its answers (keep-alive); no answer at all is the failure.
      const timer = setTimeout(() => {
        if (chunks.length === 0) chunks.push(Buffer.from('HTTP/1.1 999 '));
        socket.destroy();
      }, RAW_IDLE_MS);
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('close', finish);
      socket.on('error', () => {});
    });

  // The namespace and the objects the cases address.
  await send({
    method: 'POST',
    path: '/api/v1/namespaces',
    headers: { 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify({ metadata: { name: FUZZ_NAMESPACE } })),
  });
  for (const s of FUZZ_SEEDS) {
    await send({
      method: 'POST',
      path: s.list,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify(s.body)),
    });
  }

  const report: FuzzReport = {
    sent: 0,
    byStatus: {},
    byFamily: {},
    failures: [],
    createdBy4xx: [],
    peakRss: target.rss(),
    startRss: target.rss(),
    elapsedMs: 0,
    ready: false,
  };
  const refusedCreates: Array<{ list: string; name: string }> = [];
  const count = (family: string, status: number) => {
    const key = status <= 0 ? 'none' : String(status);
    report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
    const f = report.byFamily[family] ?? {};
    report.byFamily[family] = f;
    f[key] = (f[key] ?? 0) + 1;
  };
  const fail = (what: string) => {
    if (report.failures.length < 50) report.failures.push(what);
  };

  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= run.count || Date.now() - t0 > run.deadlineMs) return;
      report.sent++;
      if (run.rawEvery && i % run.rawEvery === run.rawEvery - 1) {
        const raw = rawFuzzRequest(run.seed, i, target.token);
        const codes = await sendRaw(raw.bytes);
        if (codes.length === 0) count(raw.family, 0);
        for (const c of codes) count(raw.family, c);
        if (codes.length === 0 || codes.some((c) => c >= 500 && c !== 505))
          fail(
            `#${i} raw ${JSON.stringify(raw.bytes.toString('latin1').slice(0, 80))}: ${codes.join(',') || 'no answer'}`,
          );
      } else {
        const req = fuzzRequest(run.seed, i, run);
        const a = await send(req);
        count(req.family, a.status);
        if (a.status <= 0 || a.status >= 500) {
          fail(`#${i} ${req.family} ${req.method} ${req.path.slice(0, 120)}: ${a.status} ${a.body.slice(0, 200)}`);
        }
        if (req.creates && a.status >= 400 && a.status < 500) refusedCreates.push(req.creates);
      }
      if (i % 25 === 0) report.peakRss = Math.max(report.peakRss, target.rss());
    }
  };
  await Promise.all(Array.from({ length: run.concurrency ?? 8 }, () => worker()));
  report.elapsedMs = Date.now() - t0;
  report.peakRss = Math.max(report.peakRss, target.rss());

  // Nothing a refused create named may exist (a request refused after its write would show here).
  for (const c of refusedCreates) {
    const a = await send({ method: 'GET', path: `${c.list}/${c.name}`, headers: {} });
    if (a.status === 200) report.createdBy4xx.push(`${c.list}/${c.name}`);
  }
  const ready = await send({ method: 'GET', path: '/readyz', headers: {} }, false);
  report.ready = ready.status === 200;
  agent.destroy();
  return report;
}

/** The report in a few lines: counts by status code, then by family. */
export function formatFuzzReport(r: FuzzReport): string {
  const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`;
  const codes = Object.entries(r.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const lines = [
    `${r.sent} requests in ${(r.elapsedMs / 1000).toFixed(1)} s; by status ${codes}`,
    `RSS start ${mb(r.startRss)}, peak ${mb(r.peakRss)}; ready after: ${r.ready}; 5xx or unanswered: ${r.failures.length}; objects made by 4xx: ${r.createdBy4xx.length}`,
  ];
  for (const [family, byCode] of Object.entries(r.byFamily).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `  ${family}: ${Object.entries(byCode)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}
