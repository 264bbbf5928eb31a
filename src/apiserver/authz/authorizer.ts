// Authorization in the API server: who may do what. system:masters may do everything (upstream's privileged
// group); everyone else is decided by the chain Node,RBAC (upstream --authorization-mode=Node,RBAC): the Node
// authorizer (node.ts) for node credentials, then RBAC on the store's Roles and bindings. Also impersonation
// (Impersonate-User / -Group headers, allowed by the `impersonate` verb) and the 403 bodies upstream sends.
import type { IncomingMessage } from 'node:http';
import { errors, StatusError } from '../../core/status.js';
import type { Store } from '../../storage/store.js';
import { type Attributes, forbiddenMessage, type UserInfo } from './attributes.js';
import { bootstrapClusterRoles } from './bootstrap-policy.js';
import { RbacCache } from './cache.js';
import { type NodeDecision, nodeAuthorize, nodeIdentity } from './node.js';
import { NodeGraphCache } from './node-cache.js';
import { type RbacSnapshot, rbacAllows, rulesFor } from './rbac.js';

/** upstream bootstrappolicy.NodeRules(): the static rules the Node authorizer grants every node. */
const NODE_RULES = bootstrapClusterRoles().find((r) => r.metadata.name === 'system:node')?.rules ?? [];

export const MASTERS = 'system:masters';
export const AUTHENTICATED = 'system:authenticated';

/** upstream's NewForbidden: `<resource>.<group> "name" is forbidden: <message>`. */
export function forbidden(a: Attributes, reason = ''): StatusError {
  const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
  if (!a.resourceRequest || !a.resource) return new StatusError(403, 'Forbidden', `forbidden: ${msg}`, {});
  return errors.forbiddenObject(a.apiGroup, a.resource, a.name, msg);
}

export class Authorizer {
  private readonly cache: RbacCache;
  private readonly nodes: NodeGraphCache;
  constructor(store: Store) {
    this.cache = new RbacCache(store);
    this.nodes = new NodeGraphCache(store);
  }

  async start(): Promise<void> {
    await this.cache.start();
    await this.nodes.start();
  }

  stop(): void {
    this.cache.stop();
    this.nodes.stop();
  }

  snapshot(): RbacSnapshot {
    return this.cache.snapshot;
  }

  /** The chain's decision: system:masters, then Node, then RBAC; the reason of a refusal is the Node authorizer's. */
  decide(a: Attributes): NodeDecision {
    if (a.user.groups.includes(MASTERS)) return { allowed: true, reason: '' };
    const node = nodeAuthorize(this.nodes.graph, NODE_RULES, a);
    if (node.allowed || rbacAllows(this.cache.snapshot, a)) return { allowed: true, reason: '' };
    return node;
  }

  allows(a: Attributes): boolean {
    return this.decide(a).allowed;
  }

  /** Throws the upstream 403 unless allowed. */
  check(a: Attributes): void {
    const d = this.decide(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  }

  /**
   * Why the rules of `rulesFor` may not be all the user holds (upstream's union rule resolver: the Node
   * authorizer cannot list a node's rules, so a rules review says incomplete with its error).
   */
  rulesIncomplete(user: UserInfo): string | undefined {
    if (user.groups.includes(MASTERS)) return undefined;
    return nodeIdentity(user) === undefined ? undefined : 'node authorizer does not support user rule resolution';
  }

  rulesFor(user: UserInfo, namespace: string) {
    if (user.groups.includes(MASTERS))
      return [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ];
    return rulesFor(this.cache.snapshot, user, namespace);
  }

  /**
   * The user a request acts as: the authenticated one, or the one it impersonates when allowed to
   * (upstream's WithImpersonation: `impersonate` on users, groups, serviceaccounts).
   */
  impersonate(user: UserInfo, req: IncomingMessage): UserInfo {
    // Most requests impersonate nobody: look for the headers before building headersDistinct (a new object of
    // arrays of every header, per call).
    if (!hasImpersonationHeader(req.rawHeaders)) return user;
    const headers = req.headersDistinct;
    const name = headers['impersonate-user']?.[0];
    const groups = (headers['impersonate-group'] ?? []).flatMap((g) => g.split(',').map((x) => x.trim()));
    const uid = headers['impersonate-uid']?.[0];
    // Impersonate-Extra-<key>: the key percent-decoded and lower-cased, each value its own request (upstream)
    const extras: [string, string][] = [];
    for (const [h, values] of Object.entries(headers)) {
      if (!h.startsWith('impersonate-extra-') || !values) continue;
      let key = h.slice('impersonate-extra-'.length);
      try {
        key = decodeURIComponent(key);
      } catch {}
      for (const v of values) extras.push([key, v]);
    }
    if (!name) {
      if (groups.length > 0 || uid !== undefined || extras.length > 0)
        throw new StatusError(500, 'InternalError', 'requested groups without impersonating a user');
      return user;
    }
    const base = { user, resourceRequest: true, verb: 'impersonate', subresource: '', path: '' };
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
    if (sa) this.check({ ...base, apiGroup: '', resource: 'serviceaccounts', namespace: sa[1]!, name: sa[2]! });
    else this.check({ ...base, apiGroup: '', resource: 'users', namespace: '', name });
    for (const g of groups) this.check({ ...base, apiGroup: '', resource: 'groups', namespace: '', name: g });
    // the uid and extras are checked as upstream's (so asking for them is refused without the verb); the user
    // they make carries neither
    const authn = 'authentication.k8s.io';
    for (const [key, value] of extras)
      this.check({ ...base, apiGroup: authn, resource: 'userextras', subresource: key, namespace: '', name: value });
    if (uid !== undefined) this.check({ ...base, apiGroup: authn, resource: 'uids', namespace: '', name: uid });
    const extra = sa ? ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`] : [];
    const all = [...new Set([...groups, ...extra, ...(name === 'system:anonymous' ? [] : [AUTHENTICATED])])];
    return { name, groups: all };
  }
}

function hasImpersonationHeader(raw: string[]): boolean {
  for (let i = 0; i < raw.length; i += 2) {
    const h = raw[i]!;
    if (h.length > 11 && (h.charCodeAt(0) | 32) === 105 /* i */ && h.slice(0, 12).toLowerCase() === 'impersonate-')
      return true;
  }
  return false;
}
