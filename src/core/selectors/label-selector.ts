// Label selectors with upstream semantics (k8s.io/apimachinery/pkg/labels): a conjunction of
// requirements, sorted by key; the empty selector matches everything, `nothing()` matches nothing.
import { errors } from '../status.js';
import { aggregateMessage, type RequirementError } from './field-error.js';
import type { metav1 } from '../types.js';
import { isQualifiedName, isValidLabelValue } from '../names.js';

/** Operator spellings as upstream's selection.Operator. */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

const INT64 = /^[+-]?\d+$/;

function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n;
}

type Predicate = (labels: Labels) => boolean;

/** Integers of up to 15 digits compare exactly as doubles; longer ones go through BigInt. */
const SHORT_INT = /^[+-]?\d{1,15}$/;

function intCompare(bound: bigint, gt: boolean): (value: string) => boolean {
  const small = bound <= 999999999999999n && bound >= -999999999999999n ? Number(bound) : undefined;
  return (value) => {
    if (small !== undefined && SHORT_INT.test(value)) return gt ? Number(value) > small : Number(value) < small;
    const actual = parseInt64(value);
    if (actual === undefined) return false;
    return gt ? actual > bound : actual < bound;
  };
}

/**
 * A requirement compiled once into a predicate, so matching does no parsing: upstream's
 * Requirement.Matches. Values become a Set when there are several; Gt/Lt bounds are parsed here.
 */
export function requirementMatcher(r: LabelRequirement): Predicate {
  const { key, values } = r;
  const one = values.length === 1 ? values[0]! : undefined;
  const set = values.length > 1 ? new Set(values) : undefined;
  const member = (v: string) => (one !== undefined ? v === one : set?.has(v) === true);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return (labels) => Object.hasOwn(labels, key) && member(labels[key]!);
    case 'notin':
    case '!=':
      return (labels) => !Object.hasOwn(labels, key) || !member(labels[key]!);
    case 'exists':
      return (labels) => Object.hasOwn(labels, key);
    case '!':
      return (labels) => !Object.hasOwn(labels, key);
    case 'gt':
    case 'lt': {
      const bound = one === undefined ? undefined : parseInt64(one);
      if (bound === undefined) return () => false;
      const cmp = intCompare(bound, r.operator === 'gt');
      return (labels) => Object.hasOwn(labels, key) && cmp(labels[key]!);
    }
  }
}

const OPERATOR_TEXT: Record<LabelOperator, string> = {
  '=': '=',
  '==': '==',
  '!=': '!=',
  in: ' in ',
  notin: ' notin ',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

export function requirementString(r: LabelRequirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  // Values print sorted so equal selectors print alike.
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  const set = r.operator === 'in' || r.operator === 'notin';
  return `${r.key}${OPERATOR_TEXT[r.operator]}${set ? `(${values})` : values}`;
}

/**
 * Checks a requirement as upstream's labels.NewRequirement does and returns the errors found
 * (key syntax, value count for the operator, value syntax).
 */
export function requirementErrors(key: string, operator: LabelOperator, values: readonly string[]): RequirementError[] {
  const errs: RequirementError[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push({ path: 'key', value: key, detail: keyErrs.join('; ') });
  const vals = [...values];
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0)
        errs.push({ path: 'values', value: vals, detail: "for 'in', 'notin' operators, values set can't be empty" });
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1)
        errs.push({ path: 'values', value: vals, detail: 'exact-match compatibility requires one single value' });
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0)
        errs.push({ path: 'values', value: vals, detail: 'values set must be empty for exists and does not exist' });
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1)
        errs.push({ path: 'values', value: vals, detail: "for 'Gt', 'Lt' operators, exactly one value is required" });
      vals.forEach((v, i) => {
        if (parseInt64(v) === undefined)
          errs.push({
            path: `values[${i}]`,
            value: v,
            detail: "for 'Gt', 'Lt' operators, the value must be an integer",
          });
      });
      break;
  }
  vals.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push({ path: `values[${i}]`, value: v, detail: valueErrs.join('; ') });
  });
  return errs;
}

/** A validated requirement; throws a 400 StatusError with upstream's message when invalid. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const errs = requirementErrors(key, operator, values);
  if (errs.length > 0) throw errors.badRequest(aggregateMessage(errs));
  return { key, operator, values: [...values] };
}

const EMPTY: Labels = {};

export class LabelSelector {
  private readonly preds: readonly Predicate[] | null;

  /** `null` requirements is the selector that matches nothing. */
  private constructor(private readonly reqs: readonly LabelRequirement[] | null) {
    this.preds = reqs === null ? null : reqs.map(requirementMatcher);
  }

  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    // Stable sort by key, as upstream sorts requirements ByKey.
    return new LabelSelector([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }

  static readonly EVERYTHING = new LabelSelector([]);
  static readonly NOTHING = new LabelSelector(null);

  matches(labels: Labels | undefined): boolean {
    const preds = this.preds;
    if (preds === null) return false;
    const ls = labels ?? EMPTY;
    for (let i = 0; i < preds.length; i++) if (!preds[i]!(ls)) return false;
    return true;
  }

  /** True only for the match-everything selector (the nothing selector is not empty). */
  empty(): boolean {
    return this.reqs !== null && this.reqs.length === 0;
  }

  matchesNothing(): boolean {
    return this.reqs === null;
  }

  requirements(): readonly LabelRequirement[] {
    return this.reqs ?? [];
  }

  /** The value a key must equal (`=`, `==`, or `in` with one value), for indexed lookups. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.reqs ?? []) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1)
        return r.values[0];
    }
    return undefined;
  }

  /** A new selector with more requirements (AND). */
  add(...requirements: LabelRequirement[]): LabelSelector {
    if (this.reqs === null) return this;
    return LabelSelector.of([...this.reqs, ...requirements]);
  }

  toString(): string {
    return (this.reqs ?? []).map(requirementString).join(',');
  }
}

export function everything(): LabelSelector {
  return LabelSelector.EVERYTHING;
}

export function nothing(): LabelSelector {
  return LabelSelector.NOTHING;
}

/** A selector from a plain map (Service.spec.selector): every key must equal its value. */
export function labelSelectorFromMap(map: Labels | undefined): LabelSelector {
  if (!map) return everything();
  return LabelSelector.of(Object.entries(map).map(([k, v]) => ({ key: k, operator: '=', values: [v] })));
}

/** metav1.LabelSelector in wire form. */
export type LabelSelectorObject = metav1.LabelSelector;
export type LabelSelectorExpression = metav1.LabelSelectorRequirement;

const EXPRESSION_OPERATORS: Record<string, LabelOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * metav1.LabelSelectorAsSelector: undefined/null selects nothing, `{}` selects everything.
 * Invalid keys, values or operators throw a 400 StatusError.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (!sel) return nothing();
  const labels = Object.entries(sel.matchLabels ?? {});
  const exprs = sel.matchExpressions ?? [];
  if (labels.length + exprs.length === 0) return everything();
  const reqs: LabelRequirement[] = labels.map(([k, v]) => newRequirement(k, '=', [v]));
  for (const e of exprs) {
    const op = EXPRESSION_OPERATORS[e.operator];
    if (op === undefined) throw errors.badRequest(`"${e.operator}" is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return LabelSelector.of(reqs);
}

/**
 * The selector of an object that validation has already accepted, for matching: an invalid one (which
 * only a write that skipped validation can hold) matches nothing instead of throwing.
 */
export function selectorOrNothing(sel: LabelSelectorObject | null | undefined): LabelSelector {
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return nothing();
  }
}

/** labels.FormatLabels: `k=v,...` sorted by key, or `<none>`. */
export function formatLabels(map: Labels | undefined): string {
  const keys = Object.keys(map ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${map![k]}`).join(',');
}

/** metav1.FormatLabelSelector: the selector's text, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  let text: string;
  try {
    text = labelSelectorFromObject(sel).toString();
  } catch {
    return '<error>';
  }
  return text.length === 0 ? '<none>' : text;
}
