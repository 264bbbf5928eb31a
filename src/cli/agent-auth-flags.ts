// The kubelet's cache flags of its webhook authentication and authorization, for the agent endpoint's
// TokenReview / SubjectAccessReview caches (`tutti agent`, and the agent inside `tutti server`).
import type { DelegatedAuthOptions } from '../client/index.js';
import { parseGoDuration } from '../controllers/podautoscaler/go-duration.js';
import { type FlagSpec, type ParsedArgs, stringFlag, UsageError } from './flags.js';

export const AGENT_AUTH_FLAGS: FlagSpec = {
  'authentication-token-webhook-cache-ttl': 'string',
  'authorization-webhook-cache-authorized-ttl': 'string',
  'authorization-webhook-cache-unauthorized-ttl': 'string',
};

/** Help lines; descriptions start at column `width` + 2 (the flags are longer, so on a line of their own). */
export function agentAuthHelp(width: number): string {
  const desc = (s: string) => `${' '.repeat(width + 2)}${s}`;
  return [
    '  --authentication-token-webhook-cache-ttl D',
    desc('how long the agent endpoint caches TokenReview answers (default 2m0s)'),
    '  --authorization-webhook-cache-authorized-ttl D',
    desc('... allowed SubjectAccessReview answers (default 5m0s)'),
    '  --authorization-webhook-cache-unauthorized-ttl D',
    desc('... denied SubjectAccessReview answers (default 30s)'),
  ].join('\n');
}

function ttl(args: ParsedArgs, name: string): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : parseGoDuration(v);
  if (ms === undefined || ms < 0)
    throw new UsageError(`flag --${name} must be a duration such as 30s or 5m0s, got ${JSON.stringify(v)}`);
  return ms;
}

export function agentAuthFromFlags(args: ParsedArgs): DelegatedAuthOptions {
  const o: DelegatedAuthOptions = {};
  const authn = ttl(args, 'authentication-token-webhook-cache-ttl');
  const allowed = ttl(args, 'authorization-webhook-cache-authorized-ttl');
  const denied = ttl(args, 'authorization-webhook-cache-unauthorized-ttl');
  if (authn !== undefined) o.authnTtlMs = authn;
  if (allowed !== undefined) o.authzAllowedTtlMs = allowed;
  if (denied !== undefined) o.authzDeniedTtlMs = denied;
  return o;
}
