// Unknown-field detection for fieldValidation=Strict|Warn. Paths follow the apiserver's strict decoding
// errors (sigs.k8s.io/json): fields joined by '.', list indexes as [i], map keys as .key, e.g.
// `unknown field "spec.template.spec.containers[0].imagee"`.

import type { SchemaNode } from '../../apimachinery/schema.js';
import { isPlainObject } from '../../core/json.js';

/** Dotted paths of every field in obj that schema does not define (apiVersion/kind at the top are allowed). */
export function unknownFields(obj: unknown, schema: SchemaNode): string[] {
  const out: string[] = [];
  walk(obj, schema, '', out, true);
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walk(value: unknown, node: SchemaNode, path: string, out: string[], top: boolean): void {
  if (value === null || value === undefined) return;
  switch (node.type) {
    case 'object': {
      if (!isPlainObject(value)) return;
      for (const [key, child] of Object.entries(value)) {
        const field = node.field(key);
        if (field) walk(child, field, join(path, key), out, false);
        else if (!(top && (key === 'apiVersion' || key === 'kind'))) out.push(join(path, key));
      }
      return;
    }
    case 'map': {
      const items = node.items();
      if (!items || !isPlainObject(value)) return;
      for (const [key, child] of Object.entries(value)) walk(child, items, join(path, key), out, false);
      return;
    }
    case 'array': {
      const items = node.items();
      if (!items || !Array.isArray(value)) return;
      value.forEach((child, i) => {
        walk(child, items, `${path}[${i}]`, out, false);
      });
      return;
    }
    default:
      // Scalars, int-or-string and free-form JSON have no fields to check.
      return;
  }
}
