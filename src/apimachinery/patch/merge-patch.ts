// RFC 7386 JSON merge patch (application/merge-patch+json), as evanphx/json-patch MergePatch.
import { cloneJson, isPlainObject, type JsonMap } from './json-value.js';

/**
 * Applies a merge patch: objects merge key by key, `null` deletes a key, anything else (arrays included)
 * replaces. A non-object patch replaces the whole target. Neither input is modified.
 */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  return mergeValue(target, patch) as T;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const out: JsonMap = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
    } else {
      out[key] = mergeValue(out[key], value);
    }
  }
  // Keys untouched by the patch are still shared with the target: copy them so callers own the result.
  for (const key of Object.keys(out)) {
    if (!Object.hasOwn(patch, key)) out[key] = cloneJson(out[key]);
  }
  return out;
}
