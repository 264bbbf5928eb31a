// The audit policy (audit.k8s.io/v1 Policy), as upstream's staging/src/k8s.io/apiserver/pkg/audit/policy:
// the first rule that matches a request sets its level (None, Metadata, Request, RequestResponse) and which
// stages are left out; no matching rule is None.
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
}

export interface AuditPolicy {
  apiVersion: 'audit.k8s.io/v1';
  kind: 'Policy';
  rules: PolicyRule[];
  omitStages?: AuditStage[];
}

/** What the policy looks at in a request. */
export interface AuditAttributes {
  user: string;
  groups: string[];
  verb: string;
  resourceRequest: boolean;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

const LEVELS = new Set(['None', 'Metadata', 'Request', 'RequestResponse']);
const STAGES = new Set(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);

export class AuditPolicyError extends Error {
  override name = 'AuditPolicyError';
}

/** Checks a parsed policy file, naming the bad field. */
export function validateAuditPolicy(raw: unknown): AuditPolicy {
  const fail = (path: string, why: string): never => {
    throw new AuditPolicyError(`${path}: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('<root>', 'must be an object');
  const p = raw as Record<string, unknown>;
  if (p['kind'] !== 'Policy') fail('kind', 'must be Policy');
  if (p['apiVersion'] !== 'audit.k8s.io/v1') fail('apiVersion', 'must be audit.k8s.io/v1');
  if (!Array.isArray(p['rules'])) fail('rules', 'must be a list');
  const stages = (v: unknown, path: string) => {
    if (v === undefined) return;
    if (!Array.isArray(v)) fail(path, 'must be a list');
    for (const s of v as unknown[]) if (!STAGES.has(s as string)) fail(path, `unknown stage ${JSON.stringify(s)}`);
  };
  stages(p['omitStages'], 'omitStages');
  (p['rules'] as unknown[]).forEach((r, i) => {
    const rule = r as Record<string, unknown>;
    if (typeof rule !== 'object' || rule === null) fail(`rules[${i}]`, 'must be an object');
    if (!LEVELS.has(rule['level'] as string))
      fail(`rules[${i}].level`, `must be one of None, Metadata, Request, RequestResponse`);
    stages(rule['omitStages'], `rules[${i}].omitStages`);
    if (rule['nonResourceURLs'] && (rule['resources'] || rule['namespaces']))
      fail(`rules[${i}]`, 'rules cannot apply to both regular resources and non-resource URLs');
  });
  return raw as AuditPolicy;
}

const listHas = (list: string[] | undefined, v: string) => !list || list.length === 0 || list.includes(v);

function nonResourceMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

function resourceMatches(rules: GroupResources[], a: AuditAttributes): boolean {
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rules.some((gr) => {
    if ((gr.group ?? '') !== a.apiGroup && gr.group !== '*') return false;
    const rs = gr.resources ?? [];
    const resourceOk =
      rs.length === 0 ||
      rs.some(
        (r) =>
          r === '*' ||
          r === combined ||
          (r === `*/${a.subresource}` && a.subresource !== '') ||
          (r === `${a.resource}/*` && a.subresource !== ''),
      );
    return resourceOk && listHas(gr.resourceNames, a.name);
  });
}

function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (!listHas(r.users, a.user)) return false;
  if (r.userGroups?.length && !a.groups.some((g) => r.userGroups!.includes(g))) return false;
  if (!listHas(r.verbs, a.verb)) return false;
  if (r.nonResourceURLs?.length || r.resources?.length || r.namespaces?.length) {
    if (!a.resourceRequest) return !!r.nonResourceURLs?.length && nonResourceMatches(r.nonResourceURLs, a.path);
    if (r.nonResourceURLs?.length) return false;
    if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
    if (r.resources?.length && !resourceMatches(r.resources, a)) return false;
  }
  return true;
}

/** The level of a request, and the stages not to record. */
export function auditLevelOf(
  policy: AuditPolicy,
  a: AuditAttributes,
): { level: AuditLevel; omitStages: Set<AuditStage> } {
  for (const r of policy.rules)
    if (ruleMatches(r, a))
      return { level: r.level, omitStages: new Set([...(policy.omitStages ?? []), ...(r.omitStages ?? [])]) };
  return { level: 'None', omitStages: new Set() };
}
