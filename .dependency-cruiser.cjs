// The import rules of the house, checked by `npm test` (scripts/check-imports.js runs dependency-cruiser).
// Each component's rule is read from the "May import:" line of its README (src/<component>/README.md), so
// the README and the check cannot disagree: the backticked entries are components (`core`) or paths under
// src/ (`api/catalog.ts`). Rules that are not about one component's list are written out below, each
// naming the README that states it.
const fs = require('node:fs');
const path = require('node:path');

const SRC = path.join(__dirname, 'src');
const components = fs.readdirSync(SRC).filter((d) => fs.statSync(path.join(SRC, d)).isDirectory());
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The text from a line starting with `label` up to the end of its sentence (a period) or paragraph. */
function paragraph(readme, label) {
  const start = readme.search(new RegExp(`^${esc(label)}`, 'm'));
  if (start < 0) return undefined;
  const rest = readme.slice(start + label.length);
  const end = rest.search(/\.(\s|$)|\n\s*\n/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Backticked entries that name a component or a path under src/ (packages and node built-ins are not rules). */
function entries(text) {
  return [...text.matchAll(/`([^`]+)`/g)]
    .map((m) => m[1].replace(/^src\//, ''))
    .filter((e) => components.includes(e.split('/')[0]));
}

function mayImport(component) {
  const readme = path.join(SRC, component, 'README.md');
  if (!fs.existsSync(readme)) throw new Error(`src/${component} has no README.md (it must say what it owns and may import)`);
  const text = paragraph(fs.readFileSync(readme, 'utf8'), 'May import:');
  if (text === undefined) throw new Error(`src/${component}/README.md has no "May import:" line`);
  return entries(text);
}

/** The README's optional "Tests may also import:" line: more that only its tests and testing/ helpers use. */
function testsMayImport(component) {
  const text = paragraph(fs.readFileSync(path.join(SRC, component, 'README.md'), 'utf8'), 'Tests may also import:');
  return text === undefined ? [] : entries(text);
}

/** A path pattern for an entry: a whole component folder, or one file or folder under src/. */
const entryPattern = (entry) => {
  const e = entry.replace(/^src\//, '');
  return e.includes('/') || e.includes('.') ? `^src/${esc(e)}` : `^src/${esc(e)}/`;
};

// Code that only tests: test files and test helpers may also use the harness and other components' testing/.
const TEST_CODE = ['\\.test\\.ts$', '/testing/'];
const TEST_EXTRAS = ['^src/e2e/harness\\.ts$', '^src/[^/]+/testing/', '^src/[^/]+/.*/testing/'];

const componentRules = components
  .filter((c) => c !== 'cli' && c !== 'e2e')
  .flatMap((c) => {
    const allowed = [`^src/${c}/`, ...mayImport(c).map(entryPattern)];
    return [
      {
        name: `${c}-may-import`,
        comment: `src/${c}/README.md says: May import: ${mayImport(c).join(', ') || 'nothing else in src'}`,
        severity: 'error',
        from: { path: `^src/${c}/`, pathNot: TEST_CODE },
        to: { path: '^src/', pathNot: allowed },
      },
      {
        name: `${c}-tests-may-import`,
        comment: `src/${c}/README.md: its tests may use what it may import, plus src/e2e/harness.ts and testing/ helpers`,
        severity: 'error',
        from: { path: `^src/${c}/.*(\\.test\\.ts$|/testing/)` },
        to: { path: '^src/', pathNot: [...allowed, ...testsMayImport(c).map(entryPattern), ...TEST_EXTRAS] },
      },
    ];
  });

module.exports = {
  forbidden: [
    ...componentRules,
    {
      name: 'controllers-no-cross-imports',
      comment:
        'src/controllers/README.md: a controller folder imports only its own files, src/controllers/shared/ and the root files of src/controllers/',
      severity: 'error',
      from: { path: '^src/controllers/([^/]+)/' },
      to: { path: '^src/controllers/[^/]+/', pathNot: ['^src/controllers/$1/', '^src/controllers/shared/'] },
    },
    {
      name: 'scheduler-framework-pure',
      comment: 'src/scheduler/README.md: only scheduler/host.ts wires the API client; the rest is pure',
      severity: 'error',
      from: { path: '^src/scheduler/', pathNot: ['^src/scheduler/host\\.ts$', ...TEST_CODE] },
      to: { path: '^src/client/' },
    },
    {
      name: 'no-circular',
      comment: 'no import circles anywhere in src/',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves',
      severity: 'error',
      from: { path: '^src/' },
      // kubernetes-types ships declarations only: its type imports resolve for tsc, not on disk.
      to: { couldNotResolve: true, pathNot: '^kubernetes-types/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
