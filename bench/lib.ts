// What the benchmarks share: percentiles of sorted samples, a process's memory and CPU time from /proc, the
// pod they create in bulk, HTTPS requests to a test server, and creates at a fixed concurrency.
import { readFileSync } from 'node:fs';
import { type Agent, request } from 'node:https';

/** The p-th percentile (0-100) of ascending samples (nearest rank below). */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A process's resident memory in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** A process's user+system CPU time in ms (clock ticks of 10 ms). */
export function cpuMs(pid: number, thread?: number): number {
  const stat = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
  const f = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** The pod the API benchmarks create by the thousand: a few labels, one container with env, requests and a port. */
export function benchPod(name: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench', tier: 'web' } },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'busybox:1.35',
          command: ['sh', '-c', 'sleep 3600'],
          env: [{ name: 'MODE', value: 'bench' }],
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
          ports: [{ containerPort: 8080 }],
        },
      ],
    },
  };
}

/** Requests the API server answered, by verb, resource and subresource, most first (where the server's time goes). */
export function requestMix(text: string): string {
  const by = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const label = (k: string) => new RegExp(`${k}="([^"]*)"`).exec(line)?.[1] ?? '';
    const sub = label('subresource');
    const key = `${label('verb')} ${label('resource')}${sub ? `/${sub}` : ''}`;
    by.set(key, (by.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return [...by.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

export interface BenchResponse {
  status: number;
  body: Buffer;
}

export type BenchCall = (method: string, path: string, body?: unknown, accept?: string) => Promise<BenchResponse>;

/** Requests to a test server with its bearer token, over one keep-alive agent; the body is sent as JSON. */
export function benchCaller(server: { url: string; token: string }, agent: Agent): BenchCall {
  return (method, path, body, accept = 'application/json') =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${server.url}${path}`,
        {
          method,
          agent,
          headers: {
            Authorization: `Bearer ${server.token}`,
            Accept: accept,
            ...(text
              ? { 'Content-Type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      if (text) req.write(text);
      req.end();
    });
}

/**
 * benchPod `p-0` ... `p-(count-1)` POSTed to the default namespace by `concurrency` loops. `next` (creates
 * started) and `created` (answered 201) can be read while it runs.
 */
export class PodCreates {
  next = 0;
  created = 0;
  failures = 0;
  /** Each create's latency in ms, ascending once `run` resolves. */
  readonly latencies: number[] = [];

  constructor(
    private readonly call: BenchCall,
    readonly count: number,
    readonly concurrency: number,
  ) {}

  /** Resolves to the seconds the creates took. */
  async run(): Promise<number> {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: this.concurrency }, async () => {
        for (;;) {
          const i = this.next++;
          if (i >= this.count) return;
          const start = performance.now();
          const r = await this.call('POST', '/api/v1/namespaces/default/pods', benchPod(`p-${i}`));
          this.latencies.push(performance.now() - start);
          if (r.status === 201) this.created++;
          else this.failures++;
        }
      }),
    );
    this.latencies.sort((a, b) => a - b);
    return (performance.now() - t0) / 1000;
  }
}
