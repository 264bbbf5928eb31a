// Writing responses: JSON bodies, Status errors, and content negotiation for server-side Tables.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Status, StatusError, errors } from '../../core/status.js';

/** `body` as is when a string or bytes (JSON already), else encoded. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const PART_GROUP_BYTES = 1 << 20;

/**
 * A JSON body made of parts (a LIST's items): one write when small; otherwise written in groups of about
 * 1 MB (with the whole Content-Length, as any response), so a large LIST is never copied into one buffer
 * the size of the whole response.
 */
export function sendJsonParts(res: ServerResponse, code: number, parts: Buffer[]): void {
  let total = 0;
  for (const p of parts) total += p.length;
  if (total <= PART_GROUP_BYTES) {
    sendJson(res, code, Buffer.concat(parts, total));
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': total });
  let group: Buffer[] = [];
  let size = 0;
  for (const p of parts) {
    group.push(p);
    size += p.length;
    if (size >= PART_GROUP_BYTES) {
      res.write(Buffer.concat(group, size));
      group = [];
      size = 0;
    }
  }
  res.end(size > 0 ? Buffer.concat(group, size) : undefined);
}

export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return errors.internal(message);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const se = toStatusError(err);
  const status: Status = se.toStatus();
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, se.code, status);
}

export type OutputForm = { kind: 'object' } | { kind: 'table'; include: 'None' | 'Metadata' | 'Object' };

/** kubectl get asks for `application/json;as=Table;v=v1;g=meta.k8s.io, application/json`. */
export function outputForm(req: IncomingMessage, query: URLSearchParams): OutputForm {
  const accept = req.headers.accept ?? '';
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    const has = (k: string, v: string) => params.includes(`${k}=${v}`);
    if (has('as', 'Table') && has('g', 'meta.k8s.io') && (has('v', 'v1') || has('v', 'v1beta1'))) {
      const include = query.get('includeObject');
      return { kind: 'table', include: include === 'None' || include === 'Object' ? include : 'Metadata' };
    }
  }
  return { kind: 'object' };
}

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
