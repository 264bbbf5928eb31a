// Minimal label and field selector matching for the fake server: k=v, k==v, k!=v, k, !k.
// Set-based label expressions (in, notin) are not supported here.

import type { KubeObject } from '../../core/types.js';
import { isPlainObject } from '../../core/json.js';

type Requirement = { key: string; op: '=' | '!=' | 'exists' | '!exists'; value: string };

export function parseSelector(text: string | null): Requirement[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((term): Requirement => {
      const ne = term.indexOf('!=');
      if (ne > 0) return { key: term.slice(0, ne), op: '!=', value: term.slice(ne + 2) };
      const eq = term.indexOf('=');
      if (eq > 0) return { key: term.slice(0, eq), op: '=', value: term.slice(term[eq + 1] === '=' ? eq + 2 : eq + 1) };
      if (term.startsWith('!')) return { key: term.slice(1), op: '!exists', value: '' };
      return { key: term, op: 'exists', value: '' };
    });
}

function matches(reqs: Requirement[], lookup: (key: string) => string | undefined): boolean {
  return reqs.every((r) => {
    const v = lookup(r.key);
    switch (r.op) {
      case '=':
        return v === r.value;
      case '!=':
        return v !== r.value;
      case 'exists':
        return v !== undefined;
      default: // '!exists'
        return v === undefined;
    }
  });
}

function fieldValue(obj: KubeObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export interface ObjectFilter {
  labels: Requirement[];
  fields: Requirement[];
}

export function objectMatches(obj: KubeObject, filter: ObjectFilter): boolean {
  return matches(filter.labels, (k) => obj.metadata.labels?.[k]) && matches(filter.fields, (k) => fieldValue(obj, k));
}
