// Runs the kubectl e2e suites (dist/src/e2e/kubectl-*.test.js) once per kubectl binary and prints the pass
// and fail counts of each. The binaries are kubectl.1.27 .. kubectl.1.33 beside the real file behind the
// `kubectl` on PATH (its dispatcher picks one by server version; these are called directly via KUBECTL).
// Usage: node scripts/kubectl-versions.js [version ...]   (default: every kubectl.1.* found). Needs a build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

function kubectlDir() {
  const which = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  if (which.status !== 0 || !path) throw new Error('kubectl is not on PATH');
  return dirname(realpathSync(path));
}

const dir = kubectlDir();
const wanted = process.argv.slice(2);
const versions = (
  wanted.length > 0
    ? wanted
    : readdirSync(dir)
        .filter((n) => /^kubectl\.1\.\d+$/.test(n))
        .map((n) => n.slice('kubectl.'.length))
).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));

const files = readdirSync('dist/src/e2e')
  .filter((n) => n.startsWith('kubectl-') && n.endsWith('.test.js'))
  .map((n) => join('dist/src/e2e', n))
  .sort();
if (files.length === 0) {
  console.error('no kubectl suites under dist/src/e2e: run npm run build first');
  process.exit(1);
}

const rows = [];
let failed = false;
for (const v of versions) {
  const bin = join(dir, `kubectl.${v}`);
  if (!existsSync(bin)) {
    rows.push({ version: v, pass: 0, fail: 0, note: `${bin} not found` });
    failed = true;
    continue;
  }
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=tap', ...files], {
    env: { ...process.env, KUBECTL: bin },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(r.stdout)?.[1] ?? 0);
  const failing = [...r.stdout.matchAll(/^ {4}not ok \d+ - (.*)$/gm)].map((m) => m[1]);
  rows.push({ version: v, pass: count('pass'), fail: count('fail'), note: failing.join('; ') });
  if (r.status !== 0) failed = true;
}
for (const row of rows) {
  console.log(`kubectl ${row.version}: ${row.pass} passed, ${row.fail} failed${row.note ? ` (${row.note})` : ''}`);
}
process.exit(failed ? 1 : 0);
