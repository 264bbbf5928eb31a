// `npm run bench`: every benchmark in turn, each in its own process, printing its figures.
// `npm run bench -- api scheduling` runs only those.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ALL = [
  'storage',
  'api',
  'verbs',
  'list',
  'client',
  'scheduler',
  'scheduling',
  'containers',
  'dns',
  'service-proxy',
  'hpa',
  'autoscaler',
  'fuzz',
  'server-creates',
  'deployment',
];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
const here = dirname(fileURLToPath(import.meta.url));
let failed = 0;
for (const name of chosen) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark ${name}; one of ${ALL.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n=== bench/${name}`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
