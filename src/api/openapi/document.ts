// The /openapi/v3 index and its per-group-version documents: paths from the catalog, components.schemas
// the closure of every definition those paths reference. Bodies are rebuilt on demand (a few ms) and
// only their hashes are kept, so serving OpenAPI does not hold megabytes of JSON in the server.

import { createHash } from 'node:crypto';
import { CATALOG, groupVersions } from '../catalog.js';
import { schemaBundle } from './bundle.js';
import { gvkKey, type OpenAPISchema, REF_PREFIX } from './openapi-types.js';
import { type PathItem, resourcePaths } from './paths.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

export interface OpenAPIDocument {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, OpenAPISchema>;
    securitySchemes: Record<string, { type: 'apiKey'; name: string; in: 'header'; description: string }>;
  };
  security: Record<string, string[]>[];
}

/** Index keys: "api", "api/v1", "apis", "apis/<group>", "apis/<group>/<version>". */
export function documentPaths(): string[] {
  const out = ['api', 'apis'];
  for (const { group, versions } of groupVersions()) {
    if (group === '') for (const v of versions) out.push(`api/${v}`);
    else {
      out.push(`apis/${group}`);
      for (const v of versions) out.push(`apis/${group}/${v}`);
    }
  }
  return out;
}

function definitionOf(group: string, version: string, kind: string): string {
  const name = schemaBundle().byKind.get(gvkKey(group, version, kind));
  if (!name) throw new Error(`no OpenAPI schema for ${group}/${version} ${kind}`);
  return name;
}

function discoveryGet(path: string, operationId: string, schema: string, tag: string): Record<string, PathItem> {
  const content: Record<string, { schema: { $ref: string } }> = {};
  for (const t of ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml']) {
    content[t] = { schema: { $ref: REF_PREFIX + schema } };
  }
  return {
    [path]: {
      get: {
        description: 'get available resources',
        operationId,
        responses: { '200': { description: 'OK', content }, '401': { description: 'Unauthorized' } },
        tags: [tag],
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: schema.slice(META.length + 1) },
      },
    },
  };
}

function pathsOf(docPath: string): Record<string, PathItem> | undefined {
  if (docPath === 'api') return discoveryGet('/api/', 'getCoreAPIVersions', `${META}.APIVersions`, 'core');
  if (docPath === 'apis') return discoveryGet('/apis/', 'getAPIVersions', `${META}.APIGroupList`, 'apis');
  const parts = docPath.split('/');
  const gvs = groupVersions();
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = parts[1]!;
    if (!gvs.some((g) => g.group === group)) return undefined;
    const id = group.split('.')[0]!;
    return discoveryGet(
      `/apis/${group}/`,
      `get${id.charAt(0).toUpperCase()}${id.slice(1)}APIGroup`,
      `${META}.APIGroup`,
      id,
    );
  }
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length === 2) [group, version] = ['', parts[1]!];
  else if (parts[0] === 'apis' && parts.length === 3) [group, version] = [parts[1]!, parts[2]!];
  else return undefined;
  const resources = CATALOG.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const paths: Record<string, PathItem> = {};
  for (const r of resources)
    Object.assign(
      paths,
      resourcePaths(r, (g) => definitionOf(g.group, g.version, g.kind)),
    );
  const sorted: Record<string, PathItem> = {};
  for (const k of Object.keys(paths).sort()) sorted[k] = paths[k]!;
  return sorted;
}

/** Every definition reachable from the $refs inside value. */
export function schemaClosure(value: unknown): Record<string, OpenAPISchema> {
  const { schemas } = schemaBundle();
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && x.startsWith(REF_PREFIX)) {
          const name = x.slice(REF_PREFIX.length);
          if (!found.has(name) && schemas[name]) {
            found.add(name);
            visit(schemas[name]);
          }
        } else visit(x);
      }
    }
  };
  visit(value);
  const out: Record<string, OpenAPISchema> = {};
  for (const name of [...found].sort()) out[name] = schemas[name]!;
  return out;
}

export function buildDocument(docPath: string): OpenAPIDocument | undefined {
  const paths = pathsOf(docPath);
  if (!paths) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: schemaBundle().k8sVersion },
    paths,
    components: {
      schemas: schemaClosure(paths),
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          name: 'authorization',
          in: 'header',
          description: 'Bearer Token authentication',
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
}

const hashes = new Map<string, string>();

/** Upstream's hash form: SHA-512 of the body, upper-case hex. */
function hashOf(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

export function openapiV3Document(path: string): { body: string; hash: string } | undefined {
  const docPath = path.replace(/^\/+|\/+$/g, '').replace(/\?.*$/, '');
  const doc = buildDocument(docPath);
  if (!doc) return undefined;
  const body = JSON.stringify(doc);
  const hash = hashOf(body);
  hashes.set(docPath, hash);
  return { body, hash };
}

export interface OpenAPIV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

export function openapiV3Index(): OpenAPIV3Index {
  const paths: OpenAPIV3Index['paths'] = {};
  for (const p of documentPaths()) {
    const hash = hashes.get(p) ?? openapiV3Document(p)?.hash;
    if (hash) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hash}` };
  }
  return { paths };
}
