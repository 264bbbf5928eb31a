// authentication.k8s.io/v1 TokenReview, as kube-apiserver's tokenreview REST storage answers it: a create
// that is never stored; it runs the bearer token through the server's authenticator and answers 201 with
// the review, its status saying whether the token authenticated, as whom (with `system:authenticated`), or
// the authenticator's error (`invalid bearer token`).
import { isPlainObject } from '../../core/json.js';
import { errors } from '../../core/status.js';
import { decodeBody, readBody } from './body.js';
import type { RequestContext } from './context.js';
import { sendJson } from './response.js';

export interface ReviewUser {
  name: string;
  groups: string[];
}

export async function serveTokenReview(
  ctx: RequestContext,
  method: string,
  authenticateToken: (token: string) => ReviewUser | undefined | Promise<ReviewUser | undefined>,
): Promise<void> {
  const { info, resource } = ctx;
  if (info.namespace) throw errors.notFoundPath();
  if (info.name || info.subresource || method !== 'POST') {
    throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  }
  const body = decodeBody(await readBody(ctx.req), ctx.req.headers['content-type']);
  if (!isPlainObject(body))
    throw errors.badRequest('the object provided is unrecognized (must be of type TokenReview)');
  if (body.kind !== undefined && body.kind !== resource.kind) {
    throw errors.badRequest(
      `${String(body.kind)} in version "v1" cannot be handled as a TokenReview: converting (${String(body.kind)}) to (TokenReview): unknown conversion`,
    );
  }
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const token = typeof spec.token === 'string' ? spec.token : '';
  if (!token) throw errors.badRequest('token is required for TokenReview in authentication');
  const user = await authenticateToken(token);
  const groups = user ? [...user.groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated'] : [];
  const status = user
    ? { authenticated: true, user: { username: user.name, groups } }
    : { user: {}, error: 'invalid bearer token' };
  const meta = isPlainObject(body.metadata) ? body.metadata : {};
  sendJson(ctx.res, 201, {
    kind: 'TokenReview',
    apiVersion: resource.apiVersion,
    metadata: { ...meta, creationTimestamp: null },
    spec,
    status,
  });
}
