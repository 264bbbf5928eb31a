// Issue 12, rows 3-5: pod creates at concurrency 32 through the whole `tutti server` (API server, controller
// manager, scheduler; no nodes, so every pod goes unschedulable and costs the scheduler's status write and
// event), LIST of all pods as JSON while the creates run and after they settle, and the server's RSS.
// Run: npm run build && node dist/bench/server-creates.js   (BENCH_PODS=n for another count)
import { Agent, request } from 'node:https';
import { startTestServer } from '../src/e2e/harness.js';
import { benchPod, pct, requestMix, rssMb } from './lib.js';

const CONCURRENCY = 32;
const PODS = Number(process.env.BENCH_PODS ?? 10_000);

async function main(): Promise<void> {
  const s = await startTestServer({ controlPlane: true, componentAudit: false });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY + 4, ca: s.caPem });
  const call = (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; bytes: number; text: string }> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${s.url}${path}`,
        {
          method,
          agent,
          headers: {
            Authorization: `Bearer ${s.token}`,
            Accept: 'application/json',
            ...(text ? { 'Content-Type': 'application/json' } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const body = Buffer.concat(chunks);
            // Only small bodies are kept as text (the metrics page); a LIST is only counted.
            resolve({
              status: res.statusCode ?? 0,
              bytes: body.length,
              text: body.length < 4e6 ? body.toString() : '',
            });
          });
        },
      );
      req.on('error', reject);
      if (text) req.write(text);
      req.end();
    });
  let listBytes = 0;
  const timeList = async (): Promise<number> => {
    const t = performance.now();
    const r = await call('GET', '/api/v1/namespaces/default/pods');
    if (r.status !== 200) throw new Error(`list failed: ${r.status}`);
    listBytes = r.bytes;
    return performance.now() - t;
  };

  try {
    await new Promise((r) => setTimeout(r, 2000));
    const lat: number[] = [];
    let next = 0;
    let failures = 0;
    let creating = true;
    const t0 = performance.now();
    // LIST while the creates run (one every 2 s, from the second thousand on): the "during load" figure.
    const during: number[] = [];
    const lister = (async () => {
      while (creating) {
        if (next > 1000) during.push(await timeList());
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= PODS) return;
          const start = performance.now();
          const r = await call('POST', '/api/v1/namespaces/default/pods', benchPod(`p-${i}`));
          lat.push(performance.now() - start);
          if (r.status !== 201) failures++;
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    creating = false;
    await lister;
    lat.sort((a, b) => a - b);
    // "After": once the scheduler and controllers have had their say about every pod.
    await new Promise((r) => setTimeout(r, 10_000));
    const after: number[] = [];
    for (let i = 0; i < 5; i++) after.push(await timeList());
    during.sort((a, b) => a - b);
    after.sort((a, b) => a - b);

    console.log(`whole tutti server, no nodes (2 cores, HTTPS, SQLite with fsync), ${PODS} pods`);
    console.log(
      `  creates: ${(PODS / elapsed).toFixed(0)}/s at concurrency ${CONCURRENCY}, p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, failures ${failures}`,
    );
    console.log(
      `  LIST ${PODS} pods JSON: during the creates median ${pct(during, 50).toFixed(0)} ms (${during.length} runs), after median ${pct(after, 50).toFixed(0)} ms (5 runs); ${(listBytes / 1e6).toFixed(1)} MB`,
    );
    console.log(`  requests: ${requestMix((await call('GET', '/metrics')).text)}`);
    console.log(`  server RSS with ${PODS} pods: ${rssMb(s.process.pid!).toFixed(0)} MB`);
  } finally {
    agent.destroy();
    await s.stop();
  }
}

await main();
