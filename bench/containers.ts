// Pod startup with real containers: `tutti server` with its own agent over containerd's CRI. Prints created ->
// Running (seen through a watch) for one pod (median of 10) and for 50 pods at once, next to raw `runc run`
// of the same busybox and `docker run` where an engine runs. Needs root and containerd (scripts/install-deps.sh).
// Run: npm run build && node dist/bench/containers.js
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../src/core/types.js';
import { ApiClient } from '../src/client/api-client.js';
import { Informer } from '../src/client/informer.js';
import { startTestServer } from '../src/e2e/harness.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function pod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'containers' } },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'c', image: 'busybox:1.35', command: ['sleep', '3600'] }],
    },
  };
}

function runcFigures(): string {
  const busybox = '/bin/busybox';
  if (spawnSync('runc', ['--version']).status !== 0) return 'runc: not installed';
  const dir = mkdtempSync(join(tmpdir(), 'runc-bench-'));
  try {
    mkdirSync(join(dir, 'rootfs', 'bin'), { recursive: true });
    cpSync(busybox, join(dir, 'rootfs', 'bin', 'busybox'));
    execFileSync('runc', ['spec'], { cwd: dir });
    const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    spec.process.terminal = false;
    spec.process.args = ['/bin/busybox', 'true'];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const r = spawnSync('runc', ['run', '-b', dir, `bench-${process.pid}-${i}`]);
      if (r.status !== 0) return `runc: failed (${r.stderr.toString().trim().split('\n')[0]})`;
      times.push(performance.now() - t);
    }
    return `raw runc run of busybox 'true': median ${median(times).toFixed(0)} ms (10 runs)`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dockerFigures(): string {
  if (spawnSync('docker', ['info'], { timeout: 5000 }).status !== 0)
    return 'docker run: no Docker engine on this machine (client only), not measured';
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = spawnSync('docker', ['run', '--rm', 'busybox:1.35', 'true'], { timeout: 60_000 });
    if (r.status !== 0) return 'docker run: failed';
    times.push(performance.now() - t);
  }
  return `docker run --rm busybox true: median ${median(times).toFixed(0)} ms (5 runs)`;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('containers bench: needs root for containerd; skipped');
    return;
  }
  const s = await startTestServer({ controlPlane: true, agent: true });
  const client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
  const running = new Map<string, number>();
  const informer = new Informer<KubeObject>({
    client,
    resource: { group: '', version: 'v1', resource: 'pods', namespaced: true },
    namespace: 'default',
  });
  const seen = (p: KubeObject) => {
    const phase = (p.status as { phase?: string } | undefined)?.phase;
    if (phase === 'Running' && !running.has(p.metadata.name!)) running.set(p.metadata.name!, performance.now());
  };
  informer.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  informer.start();
  await informer.waitForSync();
  const waitFor = async (cond: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const deleteAll = async () => {
    await client.raw('DELETE', '/api/v1/namespaces/default/pods?labelSelector=bench%3Dcontainers&gracePeriodSeconds=0');
    await waitFor(() => informer.list().filter((p) => p.metadata.labels?.bench === 'containers').length === 0, 120_000);
  };
  try {
    const nodes = await client.list<KubeObject>('/api/v1/nodes');
    console.log(
      `containers bench: tutti server with its agent on ${nodes.items.map((n) => n.metadata.name).join(',')} (containerd via CRI)`,
    );
    // Warm-up: first pull/unpack of the image and first sandbox.
    await client.create('/api/v1/namespaces/default/pods', pod('warm'));
    await waitFor(() => running.has('warm'), 60_000);
    await deleteAll();
    const single: number[] = [];
    for (let i = 0; i < 10; i++) {
      const name = `one-${i}`;
      const t = performance.now();
      await client.create('/api/v1/namespaces/default/pods', pod(name));
      await waitFor(() => running.has(name), 60_000);
      single.push(running.get(name)! - t);
      await deleteAll();
    }
    console.log(
      `  one pod, created -> Running: median ${median(single).toFixed(0)} ms, min ${Math.min(...single).toFixed(0)} ms (10 runs)`,
    );
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.create('/api/v1/namespaces/default/pods', pod(`fifty-${i}`))),
    );
    await waitFor(() => Array.from({ length: 50 }, (_, i) => `fifty-${i}`).every((n) => running.has(n)), 120_000);
    const times = Array.from({ length: 50 }, (_, i) => running.get(`fifty-${i}`)! - t).sort((a, b) => a - b);
    console.log(
      `  50 pods at once: first Running ${times[0].toFixed(0)} ms, median ${median(times).toFixed(0)} ms, all Running ${times[49].toFixed(0)} ms`,
    );
    await deleteAll();
  } finally {
    informer.stop();
    client.close();
    await s.stop();
  }
  console.log(`  ${runcFigures()}`);
  console.log(`  ${dockerFigures()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
