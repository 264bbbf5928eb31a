// Bearer tokens and k3s-style node join tokens: `K10<sha256 of the CA PEM>::server:<secret>`.
// The hash lets a joining node trust the CA it downloads from an unauthenticated endpoint.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'K10';
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface JoinToken {
  /** sha256 hex of the CA certificate PEM, when the token pins one. */
  caHash?: string;
  secret: string;
}

/** A random secret suitable for a bearer token (hex, 32 bytes of entropy). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

/** sha256 hex of the CA certificate's PEM bytes, exactly as served on /cacerts. */
export function caHashOf(caPem: string): string {
  return createHash('sha256').update(caPem, 'utf8').digest('hex');
}

export function formatJoinToken(caPem: string, secret: string): string {
  return `${TOKEN_PREFIX}${caHashOf(caPem)}::server:${secret}`;
}

/**
 * Parse a join token. The full form is `K10<hash>::<user>:<secret>`; anything else is a bare secret with
 * no CA pin (as k3s accepts). Throws on a K10 token whose hash is malformed.
 */
export function parseJoinToken(token: string): JoinToken {
  const trimmed = token.trim();
  const sep = trimmed.indexOf('::');
  if (!trimmed.startsWith(TOKEN_PREFIX) || sep < 0) return { secret: trimmed };
  const caHash = trimmed.slice(TOKEN_PREFIX.length, sep).toLowerCase();
  if (!HASH_PATTERN.test(caHash)) throw new Error('join token has a malformed CA hash');
  const credentials = trimmed.slice(sep + 2);
  const colon = credentials.indexOf(':');
  const secret = colon < 0 ? credentials : credentials.slice(colon + 1);
  if (!secret) throw new Error('join token has an empty secret');
  return { caHash, secret };
}

/** Constant-time check that `caPem` hashes to `hash` (hex, any case). */
export function verifyCaHash(caPem: string, hash: string): boolean {
  const want = hash.trim().toLowerCase();
  if (!HASH_PATTERN.test(want)) return false;
  return timingSafeEqual(Buffer.from(caHashOf(caPem), 'hex'), Buffer.from(want, 'hex'));
}

/** Constant-time string comparison for bearer tokens. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
