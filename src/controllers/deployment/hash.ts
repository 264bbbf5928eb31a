// pod-template-hash: a stable hash of the pod template (FNV-1a 32 over canonical JSON plus the
// collision count), encoded with upstream's SafeEncodeString alphabet so names look familiar.

import type { PodTemplateSpec } from '../../core/index.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * JSON with object keys sorted, so equal templates hash equally whatever their key order. Fields that
 * are null, {} or [] are left out: typed clients (kubectl rollout undo sends creationTimestamp: null)
 * cannot tell them from absent ones, as upstream's semantic equality treats them alike.
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => !isEmptyValue(x))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function isEmptyValue(x: unknown): boolean {
  if (x === undefined || x === null) return true;
  if (Array.isArray(x)) return x.length === 0;
  if (typeof x === 'object') return Object.values(x as Record<string, unknown>).every(isEmptyValue);
  return false;
}

function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

export function podTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let text = canonicalJson(withoutHashLabel(template));
  if (collisionCount !== undefined && collisionCount > 0) text += `#${collisionCount}`;
  return safeEncode(String(fnv1a32(text)));
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
