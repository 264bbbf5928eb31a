// The fuzz run of issue 8 in the suite: 1,500 seeded hostile requests across every family (bodies, paths,
// parameters, patches, methods, headers, raw HTTP), bounded in time. No 5xx, the server ready after, its
// memory bounded, and no object made by a request that was refused. bench/fuzz.ts runs 10,000.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatFuzzReport, runFuzz } from './fuzz/run.js';
import { type TestServer, startTestServer } from './test-harness.js';

const MB = 1024 * 1024;

describe('fuzzing the API server', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('answers 1,500 hostile requests without a 5xx and stays ready with bounded memory', async () => {
    const report = await runFuzz(
      { url: s.api.url, token: s.token, ca: s.ca, rss: () => process.memoryUsage().rss },
      { seed: Number(process.env.FUZZ_SEED ?? 8), count: 1500, deadlineMs: 120_000, concurrency: 4, rawEvery: 20 },
    );
    console.log(formatFuzzReport(report).replace(/^/gm, '# '));
    assert.ok(report.sent >= 1000, `only ${report.sent} requests sent before the deadline`);
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.createdBy4xx, []);
    assert.equal(report.ready, true);
    // Each family answered: the run covers them all.
    for (const f of ['wrong-types', 'deep-json', 'yaml', 'protobuf', 'paging', 'odd-paths', 'raw-http', 'patches']) {
      assert.ok(report.byFamily[f], `family ${f} not run`);
    }
    assert.ok(
      report.peakRss - report.startRss < 1024 * MB,
      `RSS grew by ${Math.round((report.peakRss - report.startRss) / MB)} MB`,
    );
  });
});
