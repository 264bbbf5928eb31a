// The JSONPath subset of additionalPrinterColumns (k8s.io/client-go/util/jsonpath as CRDs use it):
// `.a.b`, `['a.b']`, `[0]`, `[*]`, `..`-free paths and filters `[?(@.type=="Ready")]`, optionally in `{}`.
import { isPlainObject } from '../../core/json.js';

type Step =
  | { t: 'field'; name: string }
  | { t: 'index'; i: number }
  | { t: 'all' }
  | { t: 'filter'; path: Step[]; op: '==' | '!='; value: string };

export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      const name = s.slice(i, j);
      if (name === '*') steps.push({ t: 'all' });
      else if (name) steps.push({ t: 'field', name });
      i = j;
    } else if (c === '[') {
      const end = findClose(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ t: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ t: 'index', i: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ t: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const m = /^@((?:\.[^=!]+?)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))$/.exec(inner.slice(2, -1).trim());
        if (m)
          steps.push({
            t: 'filter',
            path: parseJsonPath(m[1]!),
            op: m[2] as '==' | '!=',
            value: m[3] ?? m[4] ?? m[5] ?? '',
          });
      }
    } else i++;
  }
  return steps;
}

function findClose(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return s.length;
}

/** Every value the path reaches (none when a step is missing). */
export function evaluateJsonPath(root: unknown, steps: Step[]): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.t === 'field') {
        if (isPlainObject(v) && v[step.name] !== undefined) next.push(v[step.name]);
      } else if (step.t === 'index') {
        if (Array.isArray(v)) {
          const x = v[step.i < 0 ? v.length + step.i : step.i];
          if (x !== undefined) next.push(x);
        }
      } else if (step.t === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (isPlainObject(v)) next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const x of v) {
          const got = evaluateJsonPath(x, step.path);
          const eq = got.length > 0 && String(got[0]) === step.value;
          if (step.op === '==' ? eq : !eq) next.push(x);
        }
      }
    }
    cur = next;
  }
  return cur;
}
