// The pods/log query (`follow`, `tailLines`, `sinceSeconds`, `sinceTime`, `timestamps`, `limitBytes`) as
// log reader options, with upstream's validation messages.
import { errors } from '../../core/status.js';
import type { LogReadOptions } from './log-reader.js';

function isTrue(v: string | null): boolean {
  return v === '1' || v === 'true' || v === 'True';
}

function nonNegativeInt(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw errors.badRequest(`invalid ${name}: ${raw}`);
  if (n < min) throw errors.badRequest(`${name}: must be greater than or equal to ${min}`);
  return n;
}

export function logOptionsFromQuery(query: URLSearchParams, now: Date): LogReadOptions {
  const opts: LogReadOptions = { follow: isTrue(query.get('follow')), timestamps: isTrue(query.get('timestamps')) };
  opts.tailLines = nonNegativeInt(query, 'tailLines', 0);
  opts.limitBytes = nonNegativeInt(query, 'limitBytes', 1);
  const sinceSeconds = nonNegativeInt(query, 'sinceSeconds', 1);
  const sinceTime = query.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) {
    throw errors.badRequest('at most one of sinceTime or sinceSeconds may be specified');
  }
  if (sinceSeconds !== undefined) opts.since = new Date(now.getTime() - sinceSeconds * 1000);
  if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw errors.badRequest(`invalid sinceTime: ${sinceTime}`);
    opts.since = new Date(t);
  }
  return opts;
}
