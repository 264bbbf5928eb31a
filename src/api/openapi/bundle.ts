// Loads schemas.json (written by generate.ts at build time) on first use, so a server that never
// serves OpenAPI or validates fields does not pay for it.

import { readFileSync } from 'node:fs';
import { gvkKey, type OpenAPISchema, type SchemaBundle } from './openapi-types.js';

export interface LoadedBundle extends SchemaBundle {
  /** group/version/kind -> definition name, from x-kubernetes-group-version-kind. */
  byKind: Map<string, string>;
}

let loaded: LoadedBundle | undefined;

export function schemaBundle(): LoadedBundle {
  if (loaded) return loaded;
  const file = new URL('./schemas.json', import.meta.url);
  let bundle: SchemaBundle;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8')) as SchemaBundle;
  } catch (err) {
    throw new Error(
      `OpenAPI schemas missing at ${file.pathname}: run "node dist/src/api/openapi/generate.js" after tsc (${String(err)})`,
    );
  }
  const byKind = new Map<string, string>();
  for (const [name, s] of Object.entries(bundle.schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      // meta types (DeleteOptions, WatchEvent) carry many GVKs; the first claimant of a GVK wins.
      if (!byKind.has(gvkKey(g.group, g.version, g.kind))) byKind.set(gvkKey(g.group, g.version, g.kind), name);
    }
  }
  loaded = { ...bundle, byKind };
  return loaded;
}

export function definition(name: string): OpenAPISchema | undefined {
  return schemaBundle().schemas[name];
}
