// Copies non-TypeScript assets (.proto, .json, .bin, ...) from src/ into <outDir>/src/ after tsc.
// Usage: node scripts/copy-assets.js [outDir]   (default: dist)
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
const exts = ['.proto', '.json', '.html', '.css', '.bin'];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (exts.some((e) => name.endsWith(e))) {
      const dest = join(outDir, p);
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(p, dest);
    }
  }
}
walk('src');
