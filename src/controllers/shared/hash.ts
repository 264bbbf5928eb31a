// The hashes controllers name things by (upstream controller.ComputeHash, history.HashControllerRevision,
// rand.SafeEncodeString): FNV over canonical JSON, in an alphabet without vowels or look-alikes, so equal
// templates hash alike whatever their key order and names look like upstream's.

import { SAFE_ALPHABET } from '../../core/names.js';

/** rand.SafeEncodeString: each character mapped into the safe alphabet. */
export function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** FNV-1a 32-bit over the UTF-8 bytes (Go's fnv.New32a). */
export function fnv1a32(text: string, h = 0x811c9dc5): number {
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1 32-bit over the UTF-8 bytes (Go's fnv.New32). */
export function fnv1_32(text: string, h = 0x811c9dc5): number {
  for (const b of Buffer.from(text, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

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

/** ComputeHash: a pod template (and the collision count, when above 0), label-safe. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let text = canonicalJson(template ?? {});
  if (collisionCount !== undefined && collisionCount > 0) text += `#${collisionCount}`;
  return safeEncode(String(fnv1a32(text)));
}
