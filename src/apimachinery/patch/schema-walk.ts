// Reading SchemaNodes the way patching and server-side apply need: child lookup and list semantics.
import type { SchemaNode } from '../schema.js';

/** The schema of property `key` of an object or map schema, or undefined when unknown / free-form. */
export function childSchema(schema: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!schema) return undefined;
  if (schema.type === 'object') return schema.field(key) ?? schema.items();
  if (schema.type === 'map') return schema.items();
  return undefined;
}

/** How server-side apply treats a list: its elements' identity. */
export type ListSemantics = { kind: 'atomic' } | { kind: 'set' } | { kind: 'map'; keys: string[] };

/**
 * x-kubernetes-list-type wins; built-in types without it fall back to their strategic merge patch tags
 * (patchStrategy merge + patchMergeKey), as the OpenAPI of older built-ins only carries those.
 */
export function listSemantics(schema: SchemaNode | undefined): ListSemantics {
  if (!schema) return { kind: 'atomic' };
  if (schema.listType === 'map' && schema.listMapKeys && schema.listMapKeys.length > 0) {
    return { kind: 'map', keys: [...schema.listMapKeys] };
  }
  if (schema.listType === 'set') return { kind: 'set' };
  if (schema.listType === 'atomic') return { kind: 'atomic' };
  if (hasStrategy(schema, 'merge')) {
    return schema.patchMergeKey ? { kind: 'map', keys: [schema.patchMergeKey] } : { kind: 'set' };
  }
  return { kind: 'atomic' };
}

/** True if the comma-separated patchStrategy includes `strategy`. */
export function hasStrategy(schema: SchemaNode | undefined, strategy: string): boolean {
  return (schema?.patchStrategy ?? '').split(',').some((s) => s.trim() === strategy);
}
