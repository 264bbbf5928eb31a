// Who may call the agent's endpoint, as the kubelet's pkg/kubelet/server/auth.go decides it: the caller is
// authenticated (a bearer token; the agent checks it with a TokenReview), then every request is mapped to
// attributes on the Node object (verb from the HTTP method, resource `nodes`, name = this node, a
// subresource from the path) and authorized (the agent asks a SubjectAccessReview). No credentials: 401.
// The decisions here are pure; the agent injects the I/O (`AgentAuth`).
import { timingSafeEqual } from 'node:crypto';

/** The caller, as the authenticator knows it (TokenReview's status.user). */
export interface AgentUser {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** One authorization question: may `user` do `verb` on nodes/<subresource> of node `name`? */
export interface NodeAttributes {
  verb: string;
  resource: 'nodes';
  subresource: string;
  name: string;
  path: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export interface AgentAuth {
  /** The user a bearer token belongs to, undefined when it is not a valid token (-> 401). */
  authenticate(token: string): Promise<AgentUser | undefined>;
  /** Whether the user may; a thrown error is an authorization error (-> 500), not a denial. */
  authorize(user: AgentUser, attrs: NodeAttributes): Promise<Decision>;
}

/** A request's candidate attributes: allowed when any of them is (the kubelet's fine-grained form). */
export interface RequestAttributes {
  verb: string;
  name: string;
  path: string;
  /** Tried in order; the last is the coarse one (`proxy` for everything without a subresource of its own). */
  subresources: string[];
}

function isSubpath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** HTTP method -> API verb (upstream's switch; anything else is ""). A WebSocket upgrade is a `create`. */
export function verbFor(method: string | undefined, upgrade = false): string {
  if (upgrade) return 'create';
  switch (method) {
    case 'POST':
      return 'create';
    case 'GET':
    case 'HEAD':
      return 'get';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return '';
  }
}

/**
 * The kubelet's GetRequestAttributes: /stats -> nodes/stats, /metrics* -> nodes/metrics, /logs -> nodes/log; with
 * fine-grained authorization /spec, /pods, /healthz, /configz are their own subresource or, failing that,
 * nodes/proxy; everything else (containerLogs, exec, attach, portForward, run, ...) is nodes/proxy.
 */
export function requestAttributes(
  method: string | undefined,
  pathname: string,
  nodeName: string,
  upgrade = false,
): RequestAttributes {
  const verb = verbFor(method, upgrade);
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  let subresources = ['proxy'];
  if (isSubpath(path, '/stats')) subresources = ['stats'];
  else if (isSubpath(path, '/metrics')) subresources = ['metrics'];
  else if (isSubpath(path, '/logs')) subresources = ['log'];
  else if (isSubpath(path, '/spec')) subresources = ['spec', 'proxy'];
  else if (isSubpath(path, '/pods') || isSubpath(path, '/runningpods')) subresources = ['pods', 'proxy'];
  else if (isSubpath(path, '/healthz')) subresources = ['healthz', 'proxy'];
  else if (isSubpath(path, '/configz')) subresources = ['configz', 'proxy'];
  return { verb, name: nodeName, path: pathname, subresources };
}

/** The bearer token of an Authorization header (scheme case-insensitive, as upstream's bearertoken). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^bearer\s+(\S+)\s*$/i.exec(header.trim());
  return m ? m[1] : undefined;
}

/** What Node's TLS socket says of a client certificate (`getPeerCertificate()`), the parts that matter here. */
export interface PeerCertificate {
  subject?: { CN?: string | string[]; O?: string | string[] };
  ext_key_usage?: string[];
}

const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

/**
 * The user of a client certificate, as upstream's x509 authenticator maps it (CommonNameUserConversion): user =
 * Subject CN, groups = Subject O. Only a certificate whose chain verified against the client CA (`verified`,
 * the socket's `authorized`), usable for client authentication (no extended key usage, or clientAuth), with a
 * common name; else undefined (the bearer token may still authenticate).
 */
export function userFromCertificate(peer: PeerCertificate | undefined, verified: boolean): AgentUser | undefined {
  if (!verified || !peer?.subject) return undefined;
  if (peer.ext_key_usage && !peer.ext_key_usage.includes(CLIENT_AUTH_EKU)) return undefined;
  const cn = peer.subject.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return undefined;
  const o = peer.subject.O;
  return { name, groups: o === undefined ? [] : Array.isArray(o) ? [...o] : [o] };
}

/** The kubelet's denial: `Forbidden (user=<u>, verb=<v>, resource=nodes, subresource(s)=[proxy])`. */
export function forbiddenMessage(user: AgentUser, attrs: RequestAttributes): string {
  return `Forbidden (user=${user.name}, verb=${attrs.verb}, resource=nodes, subresource(s)=[${attrs.subresources.join(' ')}])`;
}

/** The kubelet's answer when the authorizer failed (not a denial). */
export function authorizationErrorMessage(user: AgentUser, attrs: RequestAttributes): string {
  return `Authorization error (user=${user.name}, verb=${attrs.verb}, resource=nodes, subresource(s)=[${attrs.subresources.join(' ')}])`;
}

export type AccessResult =
  | { outcome: 'allowed'; user: AgentUser; subresource: string }
  | { outcome: 'unauthenticated'; error?: string }
  | { outcome: 'forbidden'; user: AgentUser; message: string }
  | { outcome: 'error'; user: AgentUser; message: string };

/**
 * The whole check of one request: authenticate (the verified client certificate's user, else the bearer token's,
 * as upstream's union authenticator), then the candidate attributes in order until one is allowed.
 */
export async function checkAccess(
  auth: AgentAuth,
  authorization: string | undefined,
  attrs: RequestAttributes,
  certificateUser?: AgentUser,
): Promise<AccessResult> {
  const token = bearerToken(authorization);
  if (!token && !certificateUser) return { outcome: 'unauthenticated' };
  let user: AgentUser | undefined = certificateUser;
  try {
    if (!user && token) user = await auth.authenticate(token);
  } catch (err) {
    // The kubelet answers 401 when the authenticator errs too (it cannot tell who the caller is).
    return { outcome: 'unauthenticated', error: err instanceof Error ? err.message : String(err) };
  }
  if (!user) return { outcome: 'unauthenticated' };
  for (const subresource of attrs.subresources) {
    let decision: Decision;
    try {
      decision = await auth.authorize(user, {
        verb: attrs.verb,
        resource: 'nodes',
        subresource,
        name: attrs.name,
        path: attrs.path,
      });
    } catch {
      return { outcome: 'error', user, message: authorizationErrorMessage(user, attrs) };
    }
    if (decision.allowed) return { outcome: 'allowed', user, subresource };
  }
  return { outcome: 'forbidden', user, message: forbiddenMessage(user, attrs) };
}

/**
 * One shared bearer token that may do everything (tests, and endpoints that serve a single trusted caller).
 * The user is `name`.
 */
export function sharedTokenAuth(token: string, name = 'system:tutti:agent-client'): AgentAuth {
  return {
    authenticate: async (t) => {
      const got = Buffer.from(t);
      const want = Buffer.from(token);
      return got.length === want.length && timingSafeEqual(got, want) ? { name, groups: [] } : undefined;
    },
    authorize: async () => ({ allowed: true }),
  };
}
