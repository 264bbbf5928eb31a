// pod-template-hash: the shared ComputeHash (shared/hash.ts: FNV-1a 32 over canonical JSON plus the
// collision count, upstream's SafeEncodeString alphabet) of the template without its own hash label.

import type { PodTemplateSpec } from '../../core/index.js';
import { canonicalJson, computeHash } from '../shared/hash.js';

export function podTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  return computeHash(withoutHashLabel(template), collisionCount);
}

/** The template with the pod-template-hash label removed (for EqualIgnoreHash). */
export function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels['pod-template-hash'];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  return t;
}

export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}
