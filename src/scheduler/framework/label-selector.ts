// Label and node selector matching, compiled once per term so the hot filter loop does no parsing.

import type { LabelSelector, NodeSelectorRequirement, NodeSelectorTerm } from './api-types.js';

export type Labels = Readonly<Record<string, string>>;
export type LabelMatcher = (labels: Labels | undefined) => boolean;

const EMPTY: Labels = {};

/** A metav1.LabelSelector; an empty selector matches everything, a missing one (undefined) nothing. */
export function compileLabelSelector(sel: LabelSelector | undefined): LabelMatcher {
  if (!sel) return () => false;
  const pairs = Object.entries(sel.matchLabels ?? {});
  const exprs = (sel.matchExpressions ?? []).map((r) => ({ ...r, set: new Set(r.values ?? []) }));
  return (labels = EMPTY) => {
    for (const [k, v] of pairs) if (labels[k] !== v) return false;
    for (const e of exprs) {
      const has = Object.hasOwn(labels, e.key);
      switch (e.operator) {
        case 'In':
          if (!has || !e.set.has(labels[e.key]!)) return false;
          break;
        case 'NotIn':
          if (has && e.set.has(labels[e.key]!)) return false;
          break;
        case 'Exists':
          if (!has) return false;
          break;
        case 'DoesNotExist':
          if (has) return false;
          break;
        default:
          return false;
      }
    }
    return true;
  };
}

/** Matches one node selector requirement against a value (label or field); Gt/Lt compare integers. */
function requirementMatcher(r: NodeSelectorRequirement): (value: string | undefined) => boolean {
  const values = r.values ?? [];
  const set = new Set(values);
  switch (r.operator) {
    case 'In':
      return (v) => v !== undefined && set.has(v);
    case 'NotIn':
      return (v) => v === undefined || !set.has(v);
    case 'Exists':
      return (v) => v !== undefined;
    case 'DoesNotExist':
      return (v) => v === undefined;
    case 'Gt':
    case 'Lt': {
      const bound = values.length === 1 && /^-?\d+$/.test(values[0]!) ? Number(values[0]) : Number.NaN;
      if (Number.isNaN(bound)) return () => false;
      return (v) => {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        return r.operator === 'Gt' ? Number(v) > bound : Number(v) < bound;
      };
    }
    default:
      return () => false;
  }
}

export type NodeTermMatcher = (nodeName: string, labels: Labels | undefined) => boolean;

/**
 * A v1.NodeSelectorTerm: all requirements must hold; matchFields supports only metadata.name (as upstream).
 * A term with no requirements matches nothing.
 */
export function compileNodeSelectorTerm(term: NodeSelectorTerm): NodeTermMatcher {
  const exprs = (term.matchExpressions ?? []).map((r) => ({ key: r.key, match: requirementMatcher(r) }));
  const fields = (term.matchFields ?? []).map((r) => ({ key: r.key, match: requirementMatcher(r) }));
  if (exprs.length === 0 && fields.length === 0) return () => false;
  return (nodeName, labels = EMPTY) => {
    for (const e of exprs) if (!e.match(Object.hasOwn(labels, e.key) ? labels[e.key] : undefined)) return false;
    for (const f of fields) if (!f.match(f.key === 'metadata.name' ? nodeName : undefined)) return false;
    return true;
  };
}

/** Terms are ORed. */
export function compileNodeSelectorTerms(terms: NodeSelectorTerm[]): NodeTermMatcher {
  const ms = terms.map(compileNodeSelectorTerm);
  return (name, labels) => ms.some((m) => m(name, labels));
}
