// Field selectors with upstream semantics (k8s.io/apimachinery/pkg/fields): comma-separated terms
// `field=value`, `field==value`, `field!=value`, ANDed. Values escape `\`, `,` and `=` with a backslash.
import { errors } from '../status.js';

export type FieldOperator = '=' | '!=';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is stored as `=`, as upstream's hasTerm. */
  readonly operator: FieldOperator;
  readonly value: string;
}

/** Escapes a value for use in a field selector string. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** Undoes escapeFieldValue; throws a 400 on a bad escape or a bare `,`/`=` (upstream's messages). */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point.
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// `==` is tried before `=` so the value does not keep a leading `=`; the first operator found splits.
const TERM_OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: (typeof TERM_OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

export class FieldSelector {
  private constructor(private readonly reqs: readonly FieldRequirement[]) {}

  static of(requirements: readonly FieldRequirement[]): FieldSelector {
    return new FieldSelector([...requirements]);
  }

  static readonly EVERYTHING = new FieldSelector([]);

  /** Missing fields read as "": `spec.nodeName=` selects unscheduled pods. */
  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.reqs.every((r) => {
      const actual = Object.hasOwn(fields, r.field) ? fields[r.field]! : '';
      return r.operator === '=' ? actual === r.value : actual !== r.value;
    });
  }

  empty(): boolean {
    return this.reqs.length === 0;
  }

  requirements(): readonly FieldRequirement[] {
    return this.reqs;
  }

  /** The value a field must equal, if the selector pins it (for indexed lookups by name or node). */
  requiresExactMatch(field: string): string | undefined {
    return this.reqs.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** Rewrites field names (e.g. a served version's names to storage names); `fn` may throw. */
  transform(fn: (field: string, value: string) => { field: string; value: string }): FieldSelector {
    return new FieldSelector(this.reqs.map((r) => ({ ...fn(r.field, r.value), operator: r.operator })));
  }

  toString(): string {
    return this.reqs.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * Parses a `fieldSelector` query string. Terms are sorted (as upstream does) and empty terms skipped.
 * Bad input throws a 400 StatusError, e.g. `invalid selector: 'a'; can't understand 'a'`.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const value = unescapeFieldValue(parts.rhs);
    reqs.push({ field: parts.lhs, operator: parts.op === '!=' ? '!=' : '=', value });
  }
  return FieldSelector.of(reqs);
}

/** A selector requiring each field to equal its value (e.g. `{'metadata.name': 'x'}`). */
export function fieldSelectorFromMap(map: Readonly<Record<string, string>>): FieldSelector {
  return FieldSelector.of(
    Object.keys(map)
      .sort()
      .map((k) => ({ field: k, operator: '=' as const, value: map[k]! })),
  );
}
