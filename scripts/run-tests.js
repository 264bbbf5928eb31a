// Runs every compiled test file under dist/ with Node's built-in test runner.
// Usage: node scripts/run-tests.js [substring filter...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = collect('dist/src', [])
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// TUTTI_CHECK_SHARED: the API server freezes the decoded objects its readers share (src/apiserver/objects.ts),
// so a test fails where a reader modifies one; the servers the tests start inherit it.
const env = { ...process.env, TUTTI_CHECK_SHARED: process.env.TUTTI_CHECK_SHARED ?? '1' };
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  env,
});
process.exit(r.status ?? 1);
