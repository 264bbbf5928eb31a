// Path items and operations of one catalog resource, shaped like the upstream kube-apiserver OpenAPI v3
// documents: kubectl finds a type's PATCH operation by x-kubernetes-group-version-kind and checks its
// fieldValidation parameter before create/apply/edit with --validate=strict.

import type { ResourceInfo } from '../catalog.js';
import { type GroupVersionKind, REF_PREFIX } from './openapi-types.js';

export interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: 'string' | 'boolean' | 'integer'; uniqueItems: true };
}

interface MediaSchema {
  schema: { $ref: string } | { type: 'string' };
}

export interface Operation {
  description: string;
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaSchema>; required?: boolean };
  responses: Record<string, { description: string; content?: Record<string, MediaSchema> }>;
  tags: string[];
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

export interface PathItem {
  get?: Operation;
  put?: Operation;
  post?: Operation;
  patch?: Operation;
  delete?: Operation;
  parameters?: Parameter[];
}

const q = (name: string, type: Parameter['schema']['type'], description: string): Parameter => ({
  name,
  in: 'query',
  description,
  schema: { type, uniqueItems: true },
});

const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: q(
    'fieldManager',
    'string',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict',
  ),
  force: q(
    'force',
    'boolean',
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  ),
  gracePeriodSeconds: q(
    'gracePeriodSeconds',
    'integer',
    'The duration in seconds before the object should be deleted.',
  ),
  propagationPolicy: q(
    'propagationPolicy',
    'string',
    "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'.",
  ),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  list: [
    q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'),
    q('continue', 'string', 'The continue option should be set when retrieving more results from the server.'),
    q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
    q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
    q('limit', 'integer', 'limit is a maximum number of responses to return for a list call.'),
    q(
      'resourceVersion',
      'string',
      'resourceVersion sets a constraint on what resource versions a request may be served from.',
    ),
    q(
      'resourceVersionMatch',
      'string',
      'resourceVersionMatch determines how resourceVersion is applied to list calls.',
    ),
    q('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true.'),
    q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
    q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of notifications.'),
  ],
  name: (kind: string): Parameter => ({
    name: 'name',
    in: 'path',
    required: true,
    description: `name of the ${kind}`,
    schema: { type: 'string', uniqueItems: true },
  }),
  namespace: {
    name: 'namespace',
    in: 'path',
    required: true,
    description: 'object name and auth scope, such as for teams and projects',
    schema: { type: 'string', uniqueItems: true },
  } satisfies Parameter,
};

const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
/** Custom resources take no strategic merge patch (a 415): kubectl apply reads this list to pick a merge patch. */
const CUSTOM_PATCH_TYPES = PATCH_TYPES.slice(0, 3);
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function refContent(name: string, types: string[]): Record<string, MediaSchema> {
  const content: Record<string, MediaSchema> = {};
  for (const t of types) content[t] = { schema: { $ref: REF_PREFIX + name } };
  return content;
}

const REPLY_TYPES = ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml'];

function ok(name: string, codes: string[] = ['200']): Operation['responses'] {
  const text: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };
  const out: Operation['responses'] = {};
  for (const c of codes) out[c] = { description: text[c] ?? 'OK', content: refContent(name, REPLY_TYPES) };
  out['401'] = { description: 'Unauthorized' };
  return out;
}

/** CoreV1, AppsV1, EventsV1: the group-version part of upstream operation ids. */
function opGroup(r: ResourceInfo): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `${cap(r.group === '' ? 'core' : r.group.split('.')[0]!)}${cap(r.version)}`;
}

export function tagOf(r: { group: string; version: string }): string {
  return `${r.group === '' ? 'core' : r.group.split('.')[0]}_${r.version}`;
}

interface Target {
  /** Definition name of the object the operations read and write. */
  schema: string;
  gvk: GroupVersionKind;
}

interface OpContext {
  r: ResourceInfo;
  /** The patch media types the server takes (no strategic merge patch for custom resources). */
  patchTypes: string[];
  idSuffix: string;
  what: string;
  tags: string[];
}

function op(ctx: OpContext, verb: string, action: string, t: Target, extra: Partial<Operation>): Operation {
  return {
    description: `${action} ${ctx.what}`,
    operationId: `${verb}${opGroup(ctx.r)}${ctx.idSuffix}`,
    responses: ok(t.schema),
    tags: ctx.tags,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': t.gvk,
    ...extra,
  };
}

const readOp = (c: OpContext, t: Target) => op(c, 'read', 'get', t, {});
const replaceOp = (c: OpContext, t: Target) =>
  op(c, 'replace', 'put', t, {
    parameters: [P.dryRun, P.fieldManager, P.fieldValidation],
    requestBody: { content: refContent(t.schema, ['*/*']), required: true },
    responses: ok(t.schema, ['200', '201']),
  });
const patchOp = (c: OpContext, t: Target) =>
  op(c, 'patch', 'patch', t, {
    parameters: [P.dryRun, P.fieldManager, P.fieldValidation, P.force],
    requestBody: { content: refContent(`${META}.Patch`, c.patchTypes), required: true },
    responses: ok(t.schema, ['200', '201']),
  });
const createOp = (c: OpContext, t: Target) =>
  op(c, 'create', 'post', t, {
    parameters: [P.dryRun, P.fieldManager, P.fieldValidation],
    requestBody: { content: refContent(t.schema, ['*/*']), required: true },
    responses: ok(t.schema, ['200', '201', '202']),
  });

/** Every path of one resource (list, item, subresources) keyed by URL path. */
export function resourcePaths(
  r: ResourceInfo,
  definitionOf: (gvk: GroupVersionKind) => string,
  opts: { custom?: boolean } = {},
): Record<string, PathItem> {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  const scoped = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}` : `${base}/${r.resource}`;
  const ns = r.namespaced ? 'Namespaced' : '';
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const listGvk = { group: r.group, version: r.version, kind: r.listKind };
  const has = (v: string) => r.verbs.includes(v);
  const self: Target = { schema: definitionOf(gvk), gvk };
  // Create-only kinds (TokenReview) have no list type; nothing below reads `list` without the list verb.
  const list: Target = has('list') ? { schema: definitionOf(listGvk), gvk } : self;
  const tags = [tagOf(r)];
  const patchTypes = opts.custom ? CUSTOM_PATCH_TYPES : PATCH_TYPES;
  const ctx = (idSuffix: string, what: string): OpContext => ({ r, idSuffix, what, tags, patchTypes });
  const scopeParams = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];
  const out: Record<string, PathItem> = {};

  const collection: PathItem = { parameters: scopeParams };
  if (has('list'))
    collection.get = op(ctx(`${ns}${r.kind}`, `objects of kind ${r.kind}`), 'list', 'list', list, {
      parameters: P.list,
    });
  if (has('create')) collection.post = createOp(ctx(`${ns}${r.kind}`, `a ${r.kind}`), self);
  if (has('deletecollection')) {
    collection.delete = op(
      ctx(`Collection${ns}${r.kind}`, `collection of ${r.kind}`),
      'delete',
      'deletecollection',
      { schema: `${META}.Status`, gvk },
      {
        parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy, ...P.list],
        requestBody: { content: refContent(`${META}.DeleteOptions`, ['*/*']) },
      },
    );
  }
  out[scoped] = collection;
  if (r.namespaced && has('list')) {
    out[`${base}/${r.resource}`] = {
      parameters: [P.pretty],
      get: op(ctx(`${r.kind}ForAllNamespaces`, `objects of kind ${r.kind}`), 'list', 'list', list, {
        parameters: P.list,
      }),
    };
  }

  const item: PathItem = { parameters: [P.name(r.kind), ...scopeParams] };
  const one = ctx(`${ns}${r.kind}`, `the specified ${r.kind}`);
  if (has('get')) item.get = readOp(one, self);
  if (has('update')) item.put = replaceOp(one, self);
  if (has('patch')) item.patch = patchOp(one, self);
  if (has('delete')) {
    item.delete = op(
      one,
      'delete',
      'delete',
      { schema: `${META}.Status`, gvk },
      {
        parameters: [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy],
        requestBody: { content: refContent(`${META}.DeleteOptions`, ['*/*']) },
        responses: ok(`${META}.Status`, ['200', '202']),
      },
    );
  }
  out[`${scoped}/{name}`] = item;

  for (const sub of r.subresources) {
    const path = `${scoped}/{name}/${sub}`;
    const Sub = sub.charAt(0).toUpperCase() + sub.slice(1);
    const c = ctx(`${ns}${r.kind}${Sub}`, `${sub} of the specified ${r.kind}`);
    const params = [P.name(r.kind), ...scopeParams];
    const target = (g: GroupVersionKind): Target => ({ schema: definitionOf(g), gvk: g });
    switch (sub) {
      case 'status':
      case 'approval':
      case 'ephemeralcontainers':
        out[path] = { parameters: params, get: readOp(c, self), put: replaceOp(c, self), patch: patchOp(c, self) };
        break;
      case 'scale': {
        const scale = target({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
        out[path] = { parameters: params, get: readOp(c, scale), put: replaceOp(c, scale), patch: patchOp(c, scale) };
        break;
      }
      case 'finalize':
        out[path] = { parameters: params, put: replaceOp(c, self) };
        break;
      case 'binding':
        out[path] = { parameters: params, post: createOp(c, target({ group: '', version: 'v1', kind: 'Binding' })) };
        break;
      case 'eviction':
        out[path] = {
          parameters: params,
          post: createOp(c, target({ group: 'policy', version: 'v1', kind: 'Eviction' })),
        };
        break;
      case 'token':
        out[path] = {
          parameters: params,
          post: createOp(c, target({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' })),
        };
        break;
      case 'log':
        out[path] = {
          parameters: params,
          get: {
            ...readOp(c, self),
            parameters: ['container', 'follow', 'previous', 'sinceSeconds', 'tailLines', 'timestamps'].map((n) =>
              q(
                n,
                n === 'container'
                  ? 'string'
                  : n === 'follow' || n === 'previous' || n === 'timestamps'
                    ? 'boolean'
                    : 'integer',
                n,
              ),
            ),
            responses: { '200': { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } },
          },
        };
        break;
      default:
        // exec, attach, portforward, proxy are connect streams that upstream documents without schemas.
        break;
    }
  }
  return out;
}
