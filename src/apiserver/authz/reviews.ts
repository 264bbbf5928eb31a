// The review APIs that answer "may I?" and "who am I?" without storing anything: SelfSubjectAccessReview,
// SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview (authorization.k8s.io/v1, what
// `kubectl auth can-i [--list]` calls) and SelfSubjectReview (authentication.k8s.io/v1, `kubectl auth whoami`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../../core/status.js';
import type { PolicyRule } from '../../core/types.js';
import { decodeBody, readBody } from '../http/body.js';
import { sendJson } from '../http/response.js';
import type { Attributes, UserInfo } from './attributes.js';
import type { Authorizer } from './authorizer.js';

interface ReviewSpec {
  resourceAttributes?: {
    namespace?: string;
    verb?: string;
    group?: string;
    resource?: string;
    subresource?: string;
    name?: string;
  };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  namespace?: string;
}

const PATHS =
  /^\/apis\/(authorization\.k8s\.io|authentication\.k8s\.io)\/(v1|v1beta1)\/(?:namespaces\/([^/]+)\/)?([a-z]+)$/;

function reviewAttributes(user: UserInfo, spec: ReviewSpec): Attributes {
  const base = { user, subresource: '', namespace: '', name: '', apiGroup: '', resource: '', path: '' };
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return {
      ...base,
      resourceRequest: true,
      verb: r.verb ?? '',
      apiGroup: r.group ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource ?? '',
      namespace: r.namespace ?? '',
      name: r.name ?? '',
    };
  }
  if (spec.nonResourceAttributes)
    return {
      ...base,
      resourceRequest: false,
      verb: spec.nonResourceAttributes.verb ?? '',
      path: spec.nonResourceAttributes.path ?? '',
    };
  throw errors.invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [
    {
      type: 'FieldValueRequired',
      field: 'spec.resourceAttributes',
      message: 'exactly one of nonResourceAttributes or resourceAttributes must be specified',
    },
  ]);
}

function splitRules(rules: PolicyRule[]) {
  return {
    resourceRules: rules
      .filter((r) => !r.nonResourceURLs?.length)
      .map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      })),
    nonResourceRules: rules
      .filter((r) => r.nonResourceURLs?.length)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The review's spec, its fields of the types upstream's decoder accepts (400 otherwise, as a decode error). */
function checkReviewTypes(kind: string, body: unknown): ReviewSpec {
  const bad = (field: string, type: string, v: unknown) =>
    errors.badRequest(
      `${kind} in version "v1" cannot be handled as a ${kind}: json: cannot unmarshal ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v} into Go struct field ${field} of type ${type}`,
    );
  if (!isObject(body)) throw bad(kind, 'object', body);
  const spec = body.spec ?? {};
  if (!isObject(spec)) throw bad(`${kind}.spec`, 'object', spec);
  const strings = (obj: Record<string, unknown>, path: string, names: string[]) => {
    for (const n of names)
      if (obj[n] !== undefined && obj[n] !== null && typeof obj[n] !== 'string')
        throw bad(`${path}.${n}`, 'string', obj[n]);
  };
  for (const [f, names] of [
    ['resourceAttributes', ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name']],
    ['nonResourceAttributes', ['path', 'verb']],
  ] as const) {
    const v = spec[f];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw bad(`${kind}.spec.${f}`, 'object', v);
    strings(v, `${kind}.spec.${f}`, [...names]);
  }
  strings(spec, `${kind}.spec`, ['user', 'uid', 'namespace']);
  if (spec.groups !== undefined && spec.groups !== null) {
    if (!Array.isArray(spec.groups)) throw bad(`${kind}.spec.groups`, '[]string', spec.groups);
    for (const g of spec.groups) if (typeof g !== 'string') throw bad(`${kind}.spec.groups`, 'string', g);
  }
  return spec as ReviewSpec;
}

/**
 * Serves a review request; false when the path is not one of them. `user` is the requester (after
 * impersonation); the server has already authorized the request itself (`create` on the review resource).
 */
export async function serveAuthReview(
  authz: Authorizer,
  user: UserInfo,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  const m = PATHS.exec(path);
  if (!m) return false;
  const [, group, version, namespace, resource] = m;
  const kinds: Record<string, string> = {
    'authorization.k8s.io/selfsubjectaccessreviews': 'SelfSubjectAccessReview',
    'authorization.k8s.io/subjectaccessreviews': 'SubjectAccessReview',
    'authorization.k8s.io/localsubjectaccessreviews': 'LocalSubjectAccessReview',
    'authorization.k8s.io/selfsubjectrulesreviews': 'SelfSubjectRulesReview',
    'authentication.k8s.io/selfsubjectreviews': 'SelfSubjectReview',
  };
  const kind = kinds[`${group}/${resource}`];
  if (!kind) return false;
  if ((kind === 'LocalSubjectAccessReview') !== (namespace !== undefined)) throw errors.notFoundPath();
  if (req.method !== 'POST')
    throw errors.methodNotAllowed(`the server does not allow this method on the requested resource`);
  const body = decodeBody(await readBody(req), req.headers['content-type']) as { spec?: ReviewSpec; metadata?: object };
  const spec = checkReviewTypes(kind, body);
  const head = {
    apiVersion: `${group}/${version}`,
    kind,
    metadata: { ...(body.metadata ?? {}), creationTimestamp: null },
  };
  let status: unknown;
  if (kind === 'SelfSubjectReview') {
    status = { userInfo: { username: user.name, groups: user.groups } };
  } else if (kind === 'SelfSubjectRulesReview') {
    const incomplete = authz.rulesIncomplete(user);
    status = {
      ...splitRules(authz.rulesFor(user, spec.namespace ?? '')),
      ...(incomplete ? { incomplete: true, evaluationError: incomplete } : {}),
    };
  } else {
    let subject = user;
    if (kind !== 'SelfSubjectAccessReview') {
      if (!spec.user && !(spec.groups ?? []).length)
        throw errors.invalid(group!, kind, '', [
          {
            type: 'FieldValueRequired',
            field: 'spec.user',
            message: 'at least one of user or group must be specified',
          },
        ]);
      subject = { name: spec.user ?? '', groups: spec.groups ?? [] };
    }
    const a = reviewAttributes(subject, spec);
    if (kind === 'LocalSubjectAccessReview') {
      if (a.resourceRequest && a.namespace !== namespace)
        throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    }
    // a refusal carries the Node authorizer's reason, as upstream's union authorizer joins its stages' reasons
    const d = authz.decide(a);
    status = d.allowed ? { allowed: true } : { allowed: false, ...(d.reason ? { reason: d.reason } : {}) };
  }
  sendJson(res, 201, { ...head, spec, status });
  return true;
}
