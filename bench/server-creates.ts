// Issue 12, rows 3-5: pod creates at concurrency 32 through the whole `tutti server` (API server, controller
// manager, scheduler; no nodes, so every pod goes unschedulable and costs the scheduler's status write and
// event), LIST of all pods as JSON while the creates run and after they settle, and the server's RSS.
// Run: npm run build && node dist/bench/server-creates.js   (BENCH_PODS=n for another count)
import { Agent } from 'node:https';
import { startTestServer } from '../src/e2e/harness.js';
import { benchCaller, PodCreates, pct, requestMix, rssMb } from './lib.js';

const CONCURRENCY = 32;
const PODS = Number(process.env.BENCH_PODS ?? 10_000);

async function main(): Promise<void> {
  const s = await startTestServer({ controlPlane: true, componentAudit: false });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 4, ca: s.caPem });
  const call = benchCaller(s, agent);
  let listBytes = 0;
  const timeList = async (): Promise<number> => {
    const t = performance.now();
    const r = await call('GET', '/api/v1/namespaces/default/pods');
    if (r.status !== 200) throw new Error(`list failed: ${r.status}`);
    listBytes = r.body.length;
    return performance.now() - t;
  };

  try {
    await new Promise((r) => setTimeout(r, 2000));
    const creates = new PodCreates(call, PODS, CONCURRENCY);
    let creating = true;
    // LIST while the creates run (one every 2 s, once a tenth or a thousand exist): the "during load" figure.
    const during: number[] = [];
    const lister = (async () => {
      while (creating) {
        if (creates.next > Math.min(1000, PODS / 10)) during.push(await timeList());
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    const elapsed = await creates.run();
    creating = false;
    await lister;
    const lat = creates.latencies;
    // "After": once the scheduler and controllers have had their say about every pod.
    await new Promise((r) => setTimeout(r, 10_000));
    const after: number[] = [];
    for (let i = 0; i < 5; i++) after.push(await timeList());
    during.sort((a, b) => a - b);
    after.sort((a, b) => a - b);

    console.log(`whole tutti server, no nodes (2 cores, HTTPS, SQLite with fsync), ${PODS} pods`);
    console.log(
      `  creates: ${(PODS / elapsed).toFixed(0)}/s at concurrency ${CONCURRENCY}, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, failures ${creates.failures}`,
    );
    console.log(
      `  LIST ${PODS} pods JSON: during the creates median ${pct(during, 50).toFixed(0)} ms (${during.length} runs), after median ${pct(after, 50).toFixed(0)} ms (5 runs); ${(listBytes / 1e6).toFixed(1)} MB`,
    );
    console.log(`  requests: ${requestMix((await call('GET', '/metrics')).body.toString())}`);
    console.log(`  server RSS with ${PODS} pods: ${rssMb(s.process.pid!).toFixed(0)} MB`);
  } finally {
    agent.destroy();
    await s.stop();
  }
}

await main();
