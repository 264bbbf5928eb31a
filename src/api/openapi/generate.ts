// Build-time generator: turns the @kubernetes/client-node 1.x models (Kubernetes 1.32) into upstream-named
// OpenAPI v3 schemas with the Kubernetes extensions restored, and writes schemas.json next to this module.
// Run after tsc: `node dist/src/api/openapi/generate.js`. The server never imports client-node.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG } from '../catalog.js';
import { ATOMIC_STRUCTS, FIELD_EXTENSIONS, type FieldExtension } from './extensions.js';
import { ModelNamer, modelClassCandidates, packagePrefix } from './model-names.js';
import { type GroupVersionKind, type OpenAPISchema, REF_PREFIX, type SchemaBundle } from './openapi-types.js';
import { SPECIAL_DEFINITIONS, specialField } from './special-types.js';

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ModelDoc {
  description?: string;
  fields: Map<string, { description?: string; required: boolean }>;
}

/** The models directory; resolved from this module, else from the working directory (builds into /tmp). */
function findModelsDir(): string {
  for (const base of [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    try {
      return join(dirname(createRequire(base).resolve('@kubernetes/client-node')), 'gen', 'models');
    } catch {
      // try the next base
    }
  }
  throw new Error('@kubernetes/client-node is not installed');
}
const modelsDir = findModelsDir();

function unescapeDoc(s: string): string {
  return s.replace(/\\(['"\\])/g, '$1');
}

/** Descriptions and required-ness live only in the .d.ts doc comments. */
function readModelDoc(cls: string): ModelDoc {
  const lines = readFileSync(join(modelsDir, `${cls}.d.ts`), 'utf8').split('\n');
  const doc: ModelDoc = { fields: new Map() };
  let comment: string[] | undefined;
  let pending: string | undefined;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('/**')) {
      comment = [];
      continue;
    }
    if (comment && line === '*/') {
      pending = comment.join('\n').trim();
      comment = undefined;
      continue;
    }
    if (comment) {
      comment.push(line.replace(/^\* ?/, ''));
      continue;
    }
    if (line.startsWith('export declare class')) {
      doc.description = pending ? unescapeDoc(pending) : undefined;
      pending = undefined;
      continue;
    }
    const field = /^'([^']+)'(\?)?:/.exec(line);
    if (field) {
      doc.fields.set(field[1]!, { description: pending ? unescapeDoc(pending) : undefined, required: !field[2] });
      pending = undefined;
    } else if (line !== '') {
      pending = undefined;
    }
  }
  return doc;
}

async function readAttributes(cls: string): Promise<Attribute[]> {
  const mod = (await import(pathToFileURL(join(modelsDir, `${cls}.js`)).href)) as Record<
    string,
    { attributeTypeMap?: Attribute[] }
  >;
  const attrs = mod[cls]?.attributeTypeMap;
  if (!attrs) throw new Error(`model ${cls} has no attributeTypeMap`);
  return attrs;
}

const BUILTIN_TYPES = new Set([
  'Array',
  'key',
  'string',
  'number',
  'boolean',
  'any',
  'Date',
  'V1MicroTime',
  'IntOrString',
]);

function referencedClasses(type: string): string[] {
  return (type.match(/[A-Za-z0-9_]+/g) ?? []).filter((t) => !BUILTIN_TYPES.has(t));
}

function ref(name: string): OpenAPISchema {
  return { $ref: REF_PREFIX + name };
}

/** OpenAPI schema of one attribute type string, e.g. "Array<V1Container>" or "{ [key: string]: string; }". */
function typeSchema(type: string, format: string, nameOf: (cls: string) => string): OpenAPISchema {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { type: 'array', items: typeSchema(array[1]!, format, nameOf) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1]!, format, nameOf) };
  switch (type) {
    case 'string':
      return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'Date':
    case 'V1MicroTime':
      return ref(`io.k8s.apimachinery.pkg.apis.meta.v1.${format === 'date-time-micro' ? 'MicroTime' : 'Time'}`);
    case 'IntOrString':
      return ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default:
      return ref(nameOf(type));
  }
}

function withExtensions(s: OpenAPISchema, ext: FieldExtension | undefined): OpenAPISchema {
  if (!ext) return s;
  const out: OpenAPISchema = { ...s };
  if (ext.listType) out['x-kubernetes-list-type'] = ext.listType;
  if (ext.listMapKeys) out['x-kubernetes-list-map-keys'] = ext.listMapKeys;
  if (ext.mapType) out['x-kubernetes-map-type'] = ext.mapType;
  if (ext.patchMergeKey) out['x-kubernetes-patch-merge-key'] = ext.patchMergeKey;
  if (ext.patchStrategy) out['x-kubernetes-patch-strategy'] = ext.patchStrategy;
  return out;
}

/** A property: a bare $ref gets wrapped in allOf so it can carry a description, as upstream does. */
function property(s: OpenAPISchema, description: string | undefined): OpenAPISchema {
  if (s.$ref) {
    const refOnly: OpenAPISchema = { allOf: [{ $ref: s.$ref }] };
    const { $ref: _ref, ...rest } = s;
    return { ...refOnly, ...rest, ...(description ? { description } : {}) };
  }
  return description ? { description, ...s } : s;
}

interface Root {
  cls: string;
  prefix: string;
  gvks: GroupVersionKind[];
}

function findClass(group: string, version: string, kind: string, known: Set<string>): string {
  const cls = modelClassCandidates(group, version, kind).find((c) => known.has(c));
  if (!cls) throw new Error(`no client-node model for ${group}/${version} ${kind}`);
  return cls;
}

function roots(known: Set<string>): Root[] {
  const out: Root[] = [];
  // Core first: shared core types (PodTemplateSpec, ObjectReference) must be named core/v1.
  const entries = [...CATALOG].sort((a, b) => Number(a.group !== '') - Number(b.group !== ''));
  for (const r of entries) {
    const prefix = packagePrefix(r.group, r.version);
    // Create-only kinds (TokenReview) have no list type.
    const kinds = r.verbs.includes('list') ? [r.kind, r.listKind] : [r.kind];
    for (const kind of kinds) {
      out.push({
        cls: findClass(r.group, r.version, kind, known),
        prefix,
        gvks: [{ group: r.group, version: r.version, kind }],
      });
    }
  }
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
  const everyGroupVersion = [...new Map(CATALOG.map((r) => [`${r.group}/${r.version}`, r])).values()];
  const metaKind = (kind: string): GroupVersionKind[] =>
    everyGroupVersion.map((r) => ({ group: r.group, version: r.version, kind }));
  out.push(
    { cls: 'V1Status', prefix: meta, gvks: [{ group: '', version: 'v1', kind: 'Status' }] },
    { cls: 'V1DeleteOptions', prefix: meta, gvks: metaKind('DeleteOptions') },
    { cls: 'V1WatchEvent', prefix: meta, gvks: metaKind('WatchEvent') },
    { cls: 'V1APIResourceList', prefix: meta, gvks: [{ group: '', version: 'v1', kind: 'APIResourceList' }] },
    { cls: 'V1APIVersions', prefix: meta, gvks: [{ group: '', version: 'v1', kind: 'APIVersions' }] },
    { cls: 'V1APIGroupList', prefix: meta, gvks: [{ group: '', version: 'v1', kind: 'APIGroupList' }] },
    { cls: 'V1APIGroup', prefix: meta, gvks: [{ group: '', version: 'v1', kind: 'APIGroup' }] },
    { cls: 'V1Binding', prefix: 'io.k8s.api.core.v1', gvks: [{ group: '', version: 'v1', kind: 'Binding' }] },
    {
      cls: 'V1Scale',
      prefix: 'io.k8s.api.autoscaling.v1',
      gvks: [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }],
    },
    { cls: 'V1Eviction', prefix: 'io.k8s.api.policy.v1', gvks: [{ group: 'policy', version: 'v1', kind: 'Eviction' }] },
    {
      cls: 'AuthenticationV1TokenRequest',
      prefix: 'io.k8s.api.authentication.v1',
      gvks: [{ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }],
    },
  );
  return out;
}

export async function generateBundle(): Promise<SchemaBundle> {
  const { readdirSync } = await import('node:fs');
  const known = new Set(
    readdirSync(modelsDir)
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => f.slice(0, -'.d.ts'.length)),
  );
  const namer = new ModelNamer();
  const schemas: Record<string, OpenAPISchema> = { ...SPECIAL_DEFINITIONS };
  const gvksByName = new Map<string, GroupVersionKind[]>();
  const queue: { cls: string; prefix: string }[] = [];
  const seen = new Set<string>();
  for (const root of roots(known)) {
    const name = namer.name(root.cls, root.prefix);
    gvksByName.set(name, [...(gvksByName.get(name) ?? []), ...root.gvks]);
    queue.push({ cls: root.cls, prefix: root.prefix });
  }
  while (queue.length > 0) {
    const { cls, prefix } = queue.shift()!;
    if (seen.has(cls)) continue;
    seen.add(cls);
    const name = namer.name(cls, prefix);
    const ownPrefix = ModelNamer.prefixOf(name);
    const nameOf = (c: string): string => {
      if (!known.has(c)) throw new Error(`${cls} references unknown model ${c}`);
      queue.push({ cls: c, prefix: ownPrefix });
      return namer.name(c, ownPrefix);
    };
    const doc = readModelDoc(cls);
    const properties: Record<string, OpenAPISchema> = {};
    const required: string[] = [];
    const exts = (FIELD_EXTENSIONS as Record<string, Record<string, FieldExtension>>)[name];
    for (const a of await readAttributes(cls)) {
      for (const c of referencedClasses(a.type)) nameOf(c);
      const base = specialField(cls, a.baseName, a.type) ?? typeSchema(a.type, a.format, nameOf);
      const fieldDoc = doc.fields.get(a.name);
      properties[a.baseName] = property(withExtensions(base, exts?.[a.baseName]), fieldDoc?.description);
      if (fieldDoc?.required) required.push(a.baseName);
    }
    const schema: OpenAPISchema = {};
    if (doc.description) schema.description = doc.description;
    schema.type = 'object';
    if (Object.keys(properties).length > 0) schema.properties = properties;
    if (required.length > 0) schema.required = required;
    if (ATOMIC_STRUCTS.includes(name)) schema['x-kubernetes-map-type'] = 'atomic';
    const gvks = gvksByName.get(name);
    if (gvks) schema['x-kubernetes-group-version-kind'] = gvks;
    schemas[name] = schema;
  }
  const sorted: Record<string, OpenAPISchema> = {};
  for (const k of Object.keys(schemas).sort()) sorted[k] = schemas[k]!;
  return { k8sVersion: 'v1.32.0', schemas: sorted };
}

export const BUNDLE_FILE = 'schemas.json';

async function main(): Promise<void> {
  const started = Date.now();
  const bundle = await generateBundle();
  const out = join(dirname(fileURLToPath(import.meta.url)), BUNDLE_FILE);
  const text = JSON.stringify(bundle);
  writeFileSync(out, text);
  console.log(
    `openapi: wrote ${Object.keys(bundle.schemas).length} schemas, ${text.length} bytes to ${out} in ${Date.now() - started} ms`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
