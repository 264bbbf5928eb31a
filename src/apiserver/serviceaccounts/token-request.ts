// POST .../serviceaccounts/NAME/token (TokenRequest, what `kubectl create token` and the agent's projected
// token volumes call): a token for an existing ServiceAccount, optionally bound to a Pod or Secret of its
// namespace (the token stops working when that object is gone), with an audience and an expiry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeTypeError, schemaLookup } from '../../api/openapi/index.js';
import { errors, type FieldError } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { decodeBody, readBody } from '../http/body.js';
import { sendJson } from '../http/response.js';
import type { TokenIssuer } from './tokens.js';

export type ReadObject = (
  resource: 'serviceaccounts' | 'pods' | 'secrets',
  ns: string,
  name: string,
) => Promise<KubeObject | undefined>;

const MIN_SECONDS = 600;
const MAX_SECONDS = 2 ** 32;

export async function serveTokenRequest(
  issuer: TokenIssuer,
  read: ReadObject,
  req: IncomingMessage,
  res: ServerResponse,
  namespace: string,
  name: string,
  /** Admission of the request (NodeRestriction) with its spec.boundObjectRef; throws to refuse. */
  admit?: (boundObjectRef: unknown) => Promise<void>,
): Promise<void> {
  const body = decodeBody(await readBody(req), req.headers['content-type']) as {
    spec?: { audiences?: unknown; expirationSeconds?: unknown; boundObjectRef?: unknown };
  } | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw errors.badRequest('the request body must be a TokenRequest');
  const schema = schemaLookup('authentication.k8s.io', 'v1', 'TokenRequest');
  const typeError = schema ? decodeTypeError(body, schema) : undefined;
  if (typeError)
    throw errors.badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: ${typeError}`);
  const spec = body.spec ?? {};
  const errs: FieldError[] = [];
  const expirationSeconds =
    spec.expirationSeconds === undefined || spec.expirationSeconds === null ? 3600 : spec.expirationSeconds;
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds))
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.expirationSeconds',
      message: `Invalid value: ${JSON.stringify(expirationSeconds)}: must be an integer`,
    });
  else if (expirationSeconds < MIN_SECONDS)
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.expirationSeconds',
      message: `Invalid value: ${expirationSeconds}: may not specify a duration less than 10 minutes`,
    });
  else if (expirationSeconds > MAX_SECONDS)
    errs.push({
      type: 'FieldValueTooLong',
      field: 'spec.expirationSeconds',
      message: `Invalid value: ${expirationSeconds}: may not specify a duration larger than 2^32 seconds`,
    });
  const audiences = Array.isArray(spec.audiences)
    ? spec.audiences.filter((a): a is string => typeof a === 'string')
    : [];
  const ref = spec.boundObjectRef as
    | { kind?: unknown; apiVersion?: unknown; name?: unknown; uid?: unknown }
    | undefined
    | null;
  if (ref && ref.kind !== 'Pod' && ref.kind !== 'Secret')
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'spec.boundObjectRef.kind',
      message: `Unsupported value: ${JSON.stringify(ref.kind)}: supported values: "Pod", "Secret"`,
    });
  if (errs.length > 0) throw errors.invalid('authentication.k8s.io', 'TokenRequest', name, errs);
  await admit?.(ref);

  const sa = await read('serviceaccounts', namespace, name);
  if (!sa) throw errors.notFound('', 'serviceaccounts', name);
  let bound: { kind: 'Pod' | 'Secret'; name: string; uid: string } | undefined;
  if (ref) {
    const kind = ref.kind as 'Pod' | 'Secret';
    const refName = typeof ref.name === 'string' ? ref.name : '';
    const obj = await read(kind === 'Pod' ? 'pods' : 'secrets', namespace, refName);
    if (!obj) throw errors.notFound('', kind === 'Pod' ? 'pods' : 'secrets', refName);
    if (typeof ref.uid === 'string' && ref.uid && ref.uid !== obj.metadata.uid)
      throw errors.conflict(
        '',
        kind === 'Pod' ? 'pods' : 'secrets',
        refName,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    bound = { kind, name: refName, uid: obj.metadata.uid! };
  }
  const aud = audiences.length > 0 ? audiences : issuer.apiAudiences;
  const { token, expiresAt } = await issuer.issue({
    namespace,
    serviceAccount: { name, uid: sa.metadata.uid! },
    audiences: aud,
    expirationSeconds: expirationSeconds as number,
    bound,
  });
  sendJson(res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: {
      audiences: aud,
      expirationSeconds,
      boundObjectRef: bound ? { kind: bound.kind, apiVersion: 'v1', name: bound.name, uid: bound.uid } : null,
    },
    status: { token, expirationTimestamp: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}
