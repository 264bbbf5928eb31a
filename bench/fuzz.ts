// Hostile-input benchmark (issue 8): 10,000 seeded requests across every family of the original fuzzing
// run (malformed JSON, YAML and protobuf, deep nesting up to a million levels, invalid UTF-8, wrong types,
// bogus selectors, paging and watch parameters, garbage patches, odd paths, methods, headers, raw HTTP
// with pipelining) against a real `tutti server` with its controllers and scheduler. Prints the counts by
// status code and family, the server's RSS, and fails on any 5xx, unanswered request, object made by a
// refused request, or a server that is not ready after.
// Run: npm run build && node dist/bench/fuzz.js   (FUZZ_COUNT, FUZZ_SEED to change the run)
import { readFileSync } from 'node:fs';
import { formatFuzzReport, runFuzz } from '../src/apiserver/fuzz/run.js';
import { startTestServer } from '../src/e2e/harness.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 8);

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

async function main(): Promise<void> {
  const s = await startTestServer({ controlPlane: true });
  try {
    const pid = s.process.pid!;
    const report = await runFuzz(
      { url: s.url, token: s.token, ca: s.caPem, rss: () => rssBytes(pid) },
      { seed: SEED, count: COUNT, deadlineMs: 30 * 60_000, concurrency: 8, rawEvery: 20, millionDeep: true },
    );
    console.log(`fuzz seed ${SEED}: ${formatFuzzReport(report)}`);
    for (const f of report.failures) console.log(`  FAIL ${f}`);
    for (const o of report.createdBy4xx) console.log(`  CREATED BY 4xx ${o}`);
    // The server still running its controllers is part of "alive": the process must not have exited.
    const alive = s.process.exitCode === null;
    console.log(`server process alive: ${alive}`);
    if (report.failures.length > 0 || report.createdBy4xx.length > 0 || !report.ready || !alive) process.exitCode = 1;
  } finally {
    await s.stop();
  }
}

await main();
