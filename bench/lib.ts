// What the benchmarks share: percentiles of sorted samples, a process's memory and CPU time from /proc, and
// the pod they create in bulk.
import { readFileSync } from 'node:fs';

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
export function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
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
