// Finding pods by an HPA's selector, and the HPAs whose selectors pick a pod (upstream's hpaSelectors
// BiMultimap), without scanning everything per sync: selectors are filed under the first `key=value`
// they require (nearly every workload selector has one), pods under each of their labels.
import type { LabelSelector } from '../../core/selectors/index.js';
import type { Pod } from '../../core/types.js';

/** The first `key=value` the selector requires, if any. */
export function exactTerm(selector: LabelSelector): string | undefined {
  for (const r of selector.requirements()) {
    const v = selector.requiresExactMatch(r.key);
    if (v !== undefined) return `${r.key}=${v}`;
  }
  return undefined;
}

/** Index name and function for the pod informer: `namespace/key=value` for each label. */
export const POD_LABEL_INDEX = 'podautoscaler:namespace-label';
export function podLabelIndex(pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? '';
  return Object.entries(pod.metadata.labels ?? {}).map(([k, v]) => `${ns}/${k}=${v}`);
}

/** The pods of a namespace a selector picks, through the label index when the selector pins a label. */
export function selectPods(
  byIndex: (index: string, value: string) => Pod[],
  namespaceIndex: string,
  namespace: string,
  selector: LabelSelector,
): Pod[] {
  const term = exactTerm(selector);
  const candidates = term ? byIndex(POD_LABEL_INDEX, `${namespace}/${term}`) : byIndex(namespaceIndex, namespace);
  return candidates.filter((p) => (p.metadata.namespace ?? '') === namespace && selector.matches(p.metadata.labels));
}

interface Entry {
  namespace: string;
  selector: LabelSelector;
  /** namespace/key=value it is filed under, or undefined (then it is checked against every pod). */
  term?: string;
}

/** Every known HPA's selector, to find pods that more than one HPA would scale. */
export class HpaSelectors {
  private readonly entries = new Map<string, Entry>();
  private readonly byTerm = new Map<string, Set<string>>();
  private readonly unindexed = new Map<string, Set<string>>();

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(namespace: string, key: string, selector: LabelSelector): void {
    const old = this.entries.get(key);
    if (old?.selector === selector && old.namespace === namespace) return;
    this.delete(key);
    // A selector that matches nothing (an HPA not synced yet) picks no pod: nothing to file.
    const entry: Entry = { namespace, selector };
    this.entries.set(key, entry);
    if (selector.matchesNothing()) return;
    const term = exactTerm(selector);
    if (term) {
      entry.term = `${namespace}/${term}`;
      add(this.byTerm, entry.term, key);
    } else {
      add(this.unindexed, namespace, key);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    if (e.term) remove(this.byTerm, e.term, key);
    else remove(this.unindexed, e.namespace, key);
  }

  /** Keys of the HPAs of the namespace whose selector picks at least one of the pods. */
  controlling(namespace: string, pods: readonly Pod[]): Set<string> {
    const out = new Set<string>();
    const check = (key: string, labels: Record<string, string> | undefined) => {
      if (!out.has(key) && this.entries.get(key)?.selector.matches(labels)) out.add(key);
    };
    for (const p of pods) {
      for (const term of podLabelIndex(p)) for (const key of this.byTerm.get(term) ?? []) check(key, p.metadata.labels);
      for (const key of this.unindexed.get(namespace) ?? []) check(key, p.metadata.labels);
    }
    return out;
  }
}

function add(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  s.add(v);
}

function remove(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  s?.delete(v);
  if (s?.size === 0) m.delete(k);
}
