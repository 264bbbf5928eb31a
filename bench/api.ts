import { Agent, request } from 'node:https';
import { startTestServer } from '../src/e2e/harness.js';
import { benchCaller, benchPod, PodCreates, pct, rssMb } from './lib.js';

const CONCURRENCY = 32;
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const WATCHERS = 100;

async function main(): Promise<void> {
  // The API server alone: no scheduler or controllers reacting to the pods.
  const s = await startTestServer();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + WATCHERS + 4, ca: s.caPem });
  const call = benchCaller(s, agent);

  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMb(s.process.pid!);

    // Watchers: 100 watches on pods, measuring create-acknowledged to event-received latency.
    const sentAt = new Map<string, number>();
    const watchLat: number[] = [];
    const watchReqs: import('node:http').ClientRequest[] = [];
    for (let w = 0; w < WATCHERS; w++) {
      const req = request(
        `${s.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=0&labelSelector=${w === 0 ? 'app%3Dbench' : 'app%3Dbench'}`,
        { agent, headers: { Authorization: `Bearer ${s.token}` } },
        (res) => {
          let buf = '';
          res.on('data', (d: Buffer) => {
            buf += d.toString();
            let i = buf.indexOf('\n');
            while (i >= 0) {
              const line = buf.slice(0, i);
              buf = buf.slice(i + 1);
              const m = /"name":"(w-[^"]+)"/.exec(line);
              if (m && sentAt.has(m[1])) watchLat.push(performance.now() - sentAt.get(m[1])!);
              i = buf.indexOf('\n');
            }
          });
        },
      );
      req.on('error', () => {});
      req.end();
      watchReqs.push(req);
    }
    await new Promise((r) => setTimeout(r, 1000));
    // Watch latency phase: 200 creates paced at ~100/s.
    for (let i = 0; i < 200; i++) {
      const name = `w-${i}`;
      sentAt.set(name, performance.now());
      await call('POST', '/api/v1/namespaces/default/pods', benchPod(name));
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 1000));
    for (const r of watchReqs) r.destroy();
    const wl = [...watchLat].sort((a, b) => a - b);

    // Creates at concurrency 32.
    const creates = new PodCreates(call, PODS, CONCURRENCY);
    const elapsed = await creates.run();
    const lat = creates.latencies;
    const withPods = rssMb(s.process.pid!);

    const timeList = async (accept: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const r = await call('GET', '/api/v1/namespaces/default/pods', undefined, accept);
        runs.push(performance.now() - t);
        if (r.status !== 200) throw new Error(`list failed: ${r.status}`);
      }
      return runs.sort((a, b) => a - b)[2];
    };
    const listJson = await timeList('application/json');
    const listTable = await timeList('application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    const total = PODS + 200;

    console.log(`api bench (2 cores, HTTPS, SQLite with fsync, ${total} pods)`);
    console.log(
      `  creates: ${(PODS / elapsed).toFixed(0)}/s at concurrency ${CONCURRENCY}, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, failures ${creates.failures}`,
    );
    console.log(`  LIST ${total} pods: JSON ${listJson.toFixed(0)} ms, Table ${listTable.toFixed(0)} ms (median of 5)`);
    console.log(
      `  watch delivery with ${WATCHERS} watchers: p50 ${pct(wl, 50).toFixed(1)} ms, p99 ${pct(wl, 99).toFixed(1)} ms (${wl.length} deliveries)`,
    );
    console.log(`  server RSS: idle ${idle.toFixed(0)} MB, with ${total} pods ${withPods.toFixed(0)} MB`);
  } finally {
    agent.destroy();
    await s.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
