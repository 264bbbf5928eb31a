// Continue tokens of paged lists, as upstream's storage encodes them: base64 of
// `{"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the prefix>"}`. The start key is relative to
// the list's key prefix and decoding refuses any key that would climb out of it (path.Clean must not
// change it), so a forged token can never range over another resource or namespace.
import { posix } from 'node:path';
import { errors } from '../../core/status.js';

const VERSION = 'meta.k8s.io/v1';

export interface ContinuePosition {
  /** Revision the first page was read at. */
  revision: number;
  /** Full store key to resume from. */
  startKey: string;
}

export function encodeContinue(revision: number, nextKey: string, keyPrefix: string): string {
  if (!nextKey.startsWith(keyPrefix)) throw new Error(`continue key ${nextKey} outside ${keyPrefix}`);
  const token = { v: VERSION, rv: revision, start: nextKey.slice(keyPrefix.length) };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function invalid(why: string): never {
  throw errors.badRequest(`continue key is not valid: ${why}`);
}

/** The position a token resumes from, inside `keyPrefix`; a 400 for anything else. */
export function decodeContinue(token: string, keyPrefix: string): ContinuePosition {
  if (!/^[A-Za-z0-9_=+/-]*$/.test(token)) invalid('illegal base64 data');
  let c: unknown;
  try {
    c = JSON.parse(
      Buffer.from(token, token.includes('+') || token.includes('/') ? 'base64' : 'base64url').toString('utf8'),
    );
  } catch (e) {
    invalid((e as Error).message);
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) invalid('not an object');
  const { v, rv, start } = c as Record<string, unknown>;
  if (v !== VERSION) invalid(`server does not recognize this encoded version ${JSON.stringify(String(v ?? ''))}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) {
    invalid(`incorrect encoded start resourceVersion (version ${VERSION})`);
  }
  if (typeof start !== 'string' || start.length === 0) invalid(`encoded start key empty (version ${VERSION})`);
  // Upstream's defence against path traversal: a cleaned key must be the key itself.
  const key = start.startsWith('/') ? start : `/${start}`;
  if (posix.normalize(key) !== key || (key.length > 1 && key.endsWith('/'))) invalid(start);
  return { revision: rv, startKey: keyPrefix + key.slice(1) };
}
