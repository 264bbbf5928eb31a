// Node selectors and required node affinity with upstream semantics
// (k8s.io/component-helpers/scheduling/corev1/nodeaffinity): label expressions become label-selector
// requirements (one matcher for both), matchFields supports metadata.name with In/NotIn and one value,
// a term with an invalid requirement or with no requirements matches nothing, and terms are ORed.
import { type LabelRequirement, LabelSelector, type Labels, requirementErrors } from '../selectors/label-selector.js';
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from '../types.js';

/** Matches a node given its name and labels. */
export type NodeMatcher = (nodeName: string, labels: Labels | undefined) => boolean;

const NEVER: NodeMatcher = () => false;

const LABEL_OPERATORS: Record<string, LabelRequirement['operator']> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

function labelRequirement(r: NodeSelectorRequirement): LabelRequirement | undefined {
  const operator = LABEL_OPERATORS[r.operator];
  const values = r.values ?? [];
  if (operator === undefined || requirementErrors(r.key, operator, values).length > 0) return undefined;
  return { key: r.key, operator, values };
}

type FieldMatcher = (nodeName: string) => boolean;

function fieldRequirement(r: NodeSelectorRequirement): FieldMatcher | undefined {
  const values = r.values ?? [];
  if (values.length !== 1) return undefined;
  const value = values[0]!;
  // Only metadata.name is a node field; any other key reads as the empty string, as fields.Set does.
  const field = (name: string) => (r.key === 'metadata.name' ? name : '');
  if (r.operator === 'In') return (name) => field(name) === value;
  if (r.operator === 'NotIn') return (name) => field(name) !== value;
  return undefined;
}

/** One v1.NodeSelectorTerm: all of its requirements must hold. */
export function compileNodeSelectorTerm(term: NodeSelectorTerm): NodeMatcher {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return NEVER;
  const reqs: LabelRequirement[] = [];
  for (const e of exprs) {
    const r = labelRequirement(e);
    if (!r) return NEVER;
    reqs.push(r);
  }
  const fieldMatchers: FieldMatcher[] = [];
  for (const f of fields) {
    const m = fieldRequirement(f);
    if (!m) return NEVER;
    fieldMatchers.push(m);
  }
  const selector = LabelSelector.of(reqs);
  if (fieldMatchers.length === 0) return (_name, labels) => selector.matches(labels);
  return (name, labels) => selector.matches(labels) && fieldMatchers.every((m) => m(name));
}

/** A v1.NodeSelector's terms: any one of them must hold; no terms match nothing. */
export function compileNodeSelectorTerms(terms: readonly NodeSelectorTerm[]): NodeMatcher {
  const ms = terms.map(compileNodeSelectorTerm);
  return (name, labels) => ms.some((m) => m(name, labels));
}

/**
 * The required placement of a pod (GetRequiredNodeAffinity): spec.nodeSelector AND the required node
 * affinity's terms. Undefined when the pod has neither (every node matches).
 */
export function requiredNodeMatcher(spec: PodSpec | undefined): NodeMatcher | undefined {
  const selector = Object.entries(spec?.nodeSelector ?? {});
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (selector.length === 0 && terms === undefined) return undefined;
  const termsMatch = terms === undefined ? undefined : compileNodeSelectorTerms(terms);
  return (name, labels) => {
    const ls = labels ?? {};
    for (const [k, v] of selector) if (ls[k] !== v) return false;
    return termsMatch === undefined || termsMatch(name, ls);
  };
}

/** Whether a pod with this spec may run on the node by name, node selector and required affinity. */
export function podFitsNodePlacement(spec: PodSpec | undefined, node: Node): boolean {
  const name = node.metadata.name ?? '';
  if (spec?.nodeName && spec.nodeName !== name) return false;
  const m = requiredNodeMatcher(spec);
  return m === undefined || m(name, node.metadata.labels);
}
