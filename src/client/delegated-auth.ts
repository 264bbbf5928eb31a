// Authentication and authorization delegated to the API server, for servers that are not the API server (the
// node agent's endpoint, the simulated nodes' one), as the kubelet's webhook modes are (staging/src/k8s.io/apiserver/pkg/authentication/authenticatorfactory and
// pkg/authorization/authorizerfactory, delegating): a bearer token is a TokenReview, a decision is a
// SubjectAccessReview on nodes/<subresource>. Answers are cached like the kubelet's defaults:
// --authentication-token-webhook-cache-ttl 2m (valid and invalid tokens alike),
// --authorization-webhook-cache-authorized-ttl 5m, --authorization-webhook-cache-unauthorized-ttl 30s.
// Failed calls (API unreachable, 5xx) are not cached.
import { createHash } from 'node:crypto';
import type { authenticationv1, authorizationv1 } from '../core/types.js';

/** A caller, as a TokenReview's status.user says. */
export interface ReviewedUser {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What is asked of a SubjectAccessReview (a resource request; core group, v1 unless said). */
export interface ReviewAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
  group?: string;
  version?: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface DelegatedAuth {
  /** The token's user, undefined when it does not authenticate; throws when the review could not be made. */
  authenticate(token: string): Promise<ReviewedUser | undefined>;
  /** Throws when the review could not be made (an error, not a denial). */
  authorize(user: ReviewedUser, attrs: ReviewAttributes): Promise<Decision>;
}

export const DEFAULT_AUTHN_CACHE_TTL_MS = 120_000;
export const DEFAULT_AUTHZ_ALLOWED_TTL_MS = 300_000;
export const DEFAULT_AUTHZ_DENIED_TTL_MS = 30_000;

/** What the reviews need of the agent's ApiClient. */
export interface ReviewClient {
  requestJson<T>(method: string, path: string, query?: undefined, body?: string, contentType?: string): Promise<T>;
}

export interface DelegatedAuthOptions {
  authnTtlMs?: number;
  authzAllowedTtlMs?: number;
  authzDeniedTtlMs?: number;
  /** Entries per cache (oldest dropped first). */
  maxEntries?: number;
  now?: () => number;
}

/** A map whose entries expire, bounded in size (insertion order = age). */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The SubjectAccessReview the kubelet's authorizer sends for one request. */
export function subjectAccessReview(user: ReviewedUser, attrs: ReviewAttributes): authorizationv1.SubjectAccessReview {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: user.name,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: user.groups,
      ...(user.extra ? { extra: user.extra } : {}),
      resourceAttributes: {
        ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
        verb: attrs.verb,
        group: attrs.group ?? '',
        version: attrs.version ?? 'v1',
        resource: attrs.resource,
        ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
        ...(attrs.name ? { name: attrs.name } : {}),
      },
    },
  };
}

/** The user of a TokenReview's answer, undefined when the token did not authenticate. */
export function reviewedUser(review: authenticationv1.TokenReview): ReviewedUser | undefined {
  const s = review.status;
  if (!s?.authenticated || !s.user?.username) return undefined;
  return {
    name: s.user.username,
    ...(s.user.uid ? { uid: s.user.uid } : {}),
    groups: [...(s.user.groups ?? [])],
    ...(s.user.extra ? { extra: s.user.extra as Record<string, string[]> } : {}),
  };
}

export function delegatedAuth(client: ReviewClient, opts: DelegatedAuthOptions = {}): DelegatedAuth {
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 1024;
  const authnTtl = opts.authnTtlMs ?? DEFAULT_AUTHN_CACHE_TTL_MS;
  const allowedTtl = opts.authzAllowedTtlMs ?? DEFAULT_AUTHZ_ALLOWED_TTL_MS;
  const deniedTtl = opts.authzDeniedTtlMs ?? DEFAULT_AUTHZ_DENIED_TTL_MS;
  // Tokens are keyed by their hash: the cache holds no credentials.
  const tokens = new TtlCache<{ user?: ReviewedUser }>(max, now);
  const decisions = new TtlCache<Decision>(max, now);
  // Reviews in flight, by cache key: concurrent requests of one caller (a scrape of many nodes) share one.
  const pending = new Map<string, Promise<unknown>>();
  function once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const inFlight = pending.get(key);
    if (inFlight) return inFlight as Promise<T>;
    const p = fn().finally(() => pending.delete(key));
    pending.set(key, p);
    return p;
  }
  async function reviewToken(key: string, token: string): Promise<ReviewedUser | undefined> {
    const review = await client.requestJson<authenticationv1.TokenReview>(
      'POST',
      '/apis/authentication.k8s.io/v1/tokenreviews',
      undefined,
      JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }),
      'application/json',
    );
    const user = reviewedUser(review);
    tokens.set(key, { user }, authnTtl);
    return user;
  }
  async function review(key: string, sar: authorizationv1.SubjectAccessReview): Promise<Decision> {
    const answer = await client.requestJson<authorizationv1.SubjectAccessReview>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      undefined,
      JSON.stringify(sar),
      'application/json',
    );
    const st = answer.status;
    if (!st) throw new Error('SubjectAccessReview answered without a status');
    const decision: Decision = { allowed: st.allowed === true && st.denied !== true, reason: st.reason };
    decisions.set(key, decision, decision.allowed ? allowedTtl : deniedTtl);
    return decision;
  }
  return {
    async authenticate(token) {
      const key = createHash('sha256').update(token).digest('hex');
      const hit = tokens.get(key);
      if (hit) return hit.user;
      return once(`t:${key}`, () => reviewToken(key, token));
    },
    async authorize(user, attrs) {
      const sar = subjectAccessReview(user, attrs);
      const key = JSON.stringify(sar.spec);
      const hit = decisions.get(key);
      if (hit) return hit;
      return once(`a:${key}`, () => review(key, sar));
    },
  };
}
