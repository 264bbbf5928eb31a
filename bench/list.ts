// LIST benchmark: 10,000 pods POSTed to a bare API server, then `GET /api/v1/pods` (JSON, no Table) timed
// 10 times while pods are still being created (during load) and 10 times once they all exist (after);
// median and p90 of each, and the server's resident memory. Then 100 watchers of the pods while 500 more
// are created: the server's CPU time per event delivered, and the delivery latency.
// Run: npm run build && node dist/bench/list.js   (BENCH_PODS=n for another count)
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { startTestServer } from '../src/e2e/harness.js';
import { benchCaller, benchPod, cpuMs, PodCreates, pct, rssMb } from './lib.js';

const CONCURRENCY = 16;
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const RUNS = 10;
const WATCHERS = 100;
const WATCHED_CREATES = 500;

async function main(): Promise<void> {
  const dataDir = mkdtempSync('/tmp/h11-bench-');
  const s = await startTestServer({ dataDir });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 4, ca: s.caPem });
  const call = benchCaller(s, agent);
  const timeList = async (path = '/api/v1/pods'): Promise<{ ms: number; bytes: number }> => {
    const t = performance.now();
    const r = await call('GET', path);
    if (r.status !== 200) throw new Error(`list failed: ${r.status}`);
    return { ms: performance.now() - t, bytes: r.body.length };
  };

  try {
    const idle = rssMb(s.process.pid!);
    // Creates at a fixed concurrency; once a tenth exist, LISTs run alongside them.
    const creates = new PodCreates(call, PODS, CONCURRENCY);
    const creating = creates.run();
    while (creates.created < PODS / 2 && creates.next < PODS) await new Promise((r) => setTimeout(r, 50));
    const during: number[] = [];
    let duringCount = 0;
    for (let i = 0; i < RUNS && creates.next < PODS; i++) {
      during.push((await timeList()).ms);
      duringCount = creates.created;
    }
    const elapsed = await creating;
    const after: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = await timeList();
      after.push(r.ms);
      bytes = r.bytes;
    }
    // A node's LIST: a field selector that no pod matches (every object checked, nothing written).
    const selected: number[] = [];
    for (let i = 0; i < RUNS; i++)
      selected.push((await timeList('/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-x')).ms);
    selected.sort((a, b) => a - b);
    const withPods = rssMb(s.process.pid!);

    // Watchers from the current revision, then creates paced so each is one event batch.
    const rv = await new Promise<string>((resolve, reject) => {
      const req = request(`${s.url}/api/v1/namespaces/default/pods?limit=1`, {
        agent,
        headers: { Authorization: `Bearer ${s.token}` },
      });
      req.on('response', (res) => {
        let b = '';
        res.on('data', (d: Buffer) => {
          b += d.toString();
        });
        res.on('end', () =>
          resolve((JSON.parse(b) as { metadata: { resourceVersion: string } }).metadata.resourceVersion),
        );
      });
      req.on('error', reject);
      req.end();
    });
    const watchAgent = new Agent({ keepAlive: true, maxSockets: WATCHERS + 1, ca: s.caPem });
    const sentAt = new Map<string, number>();
    const watchLat: number[] = [];
    const watchReqs: import('node:http').ClientRequest[] = [];
    for (let w = 0; w < WATCHERS; w++) {
      const req = request(`${s.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, {
        agent: watchAgent,
        headers: { Authorization: `Bearer ${s.token}` },
      });
      req.on('response', (res) => {
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const m = /"name":"(w-[^"]+)"/.exec(buf.slice(0, i));
            if (m && sentAt.has(m[1])) watchLat.push(performance.now() - sentAt.get(m[1])!);
            buf = buf.slice(i + 1);
          }
        });
      });
      req.on('error', () => {});
      req.end();
      watchReqs.push(req);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const cpu0 = cpuMs(s.process.pid!);
    for (let i = 0; i < WATCHED_CREATES; i++) {
      sentAt.set(`w-${i}`, performance.now());
      await call('POST', '/api/v1/namespaces/default/pods', benchPod(`w-${i}`));
    }
    for (let i = 0; i < 100 && watchLat.length < WATCHERS * WATCHED_CREATES; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const cpu = cpuMs(s.process.pid!) - cpu0;
    for (const r of watchReqs) r.destroy();
    watchAgent.destroy();
    watchLat.sort((a, b) => a - b);
    during.sort((a, b) => a - b);
    after.sort((a, b) => a - b);
    const fmt = (xs: number[]) =>
      xs.length ? `median ${pct(xs, 50).toFixed(0)} ms, p90 ${pct(xs, 90).toFixed(0)} ms (${xs.length} runs)` : 'n/a';
    console.log(
      `list bench (HTTPS, SQLite, ${PODS} pods, creates ${(PODS / elapsed).toFixed(0)}/s, ${creates.failures} failures)`,
    );
    console.log(`  LIST /api/v1/pods JSON during load (~${duringCount} pods): ${fmt(during)}`);
    console.log(`  LIST /api/v1/pods JSON after (${PODS} pods, ${(bytes / 1e6).toFixed(1)} MB): ${fmt(after)}`);
    console.log(`  LIST /api/v1/pods?fieldSelector=spec.nodeName=node-x (no match): ${fmt(selected)}`);
    console.log(
      `  ${WATCHERS} watchers, ${WATCHED_CREATES} creates: ${watchLat.length} deliveries, delivery p50 ${pct(watchLat, 50).toFixed(1)} ms, p99 ${pct(watchLat, 99).toFixed(1)} ms, server CPU ${cpu} ms (${((cpu * 1000) / WATCHED_CREATES).toFixed(0)} us per create incl. the POST)`,
    );
    console.log(`  server RSS: idle ${idle.toFixed(0)} MB, with ${PODS} pods ${withPods.toFixed(0)} MB`);
  } finally {
    agent.destroy();
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
