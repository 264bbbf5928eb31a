// Copies non-TypeScript assets (.proto, .json schemas) from src/ into dist/src/ after tsc.
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const exts = ['.proto', '.json', '.html', '.css', '.bin'];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (exts.some((e) => name.endsWith(e))) {
      const dest = join('dist', p);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(p, dest);
    }
  }
}
walk('src');
