// GET /openapi/v2 as kube-openapi's handler serves it (pkg/handler/handler.go): the Accept header's media
// ranges in quality order pick JSON or gnostic protobuf (either spelling of its media type; the reply names
// the RFC-valid `...spec.v2.v1.0+protobuf`); `*/*`, `application/*` or no Accept get JSON; nothing
// acceptable is a 406. Both forms share one ETag, the upper-case hex SHA-512 of the JSON; `Vary: Accept`;
// If-None-Match answers 304; gzip when the client accepts it (ETag suffix `-gzip`).
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { OPENAPI_V2_PROTOBUF, openapiV2Body } from '../../api/openapi/index.js';

export const OPENAPI_V2_PROTOBUF_REPLY = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTO_SUBTYPES = new Set([
  'com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'com.github.proto-openapi.spec.v2.v1.0+protobuf',
]);

interface MediaRange {
  type: string;
  subType: string;
  q: number;
}

/** goautoneg.ParseAccept: media ranges sorted by quality, then specific before wildcard. */
export function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';').map((p) => p.trim());
    if (!range) continue;
    const slash = range.indexOf('/');
    const type = slash < 0 ? range : range.slice(0, slash);
    const subType = slash < 0 ? '*' : range.slice(slash + 1);
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=');
      if (k?.trim() === 'q' && v !== undefined) q = Number.parseFloat(v) || 0;
    }
    out.push({ type, subType, q });
  }
  const rank = (m: MediaRange) => (m.type === '*' ? 0 : 1) + (m.subType === '*' ? 0 : 1);
  return out
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.q - a.m.q || rank(b.m) - rank(a.m) || a.i - b.i)
    .map((x) => x.m);
}

/** Which form the Accept header gets: 'json', 'proto', or undefined (406). */
export function negotiateV2(accept: string | undefined): 'json' | 'proto' | undefined {
  for (const c of parseAccept(accept || '*/*')) {
    if (c.type !== 'application' && c.type !== '*') continue;
    if (c.subType === 'json' || c.subType === '*') return 'json';
    if (PROTO_SUBTYPES.has(c.subType)) return 'proto';
  }
  return undefined;
}

interface Served {
  body: Buffer;
  gzipped?: Buffer;
  contentType: string;
}

let etag: string | undefined;
const served = new Map<'json' | 'proto', Served>();
const lastModified = new Date().toUTCString();

async function form(kind: 'json' | 'proto'): Promise<{ s: Served; etag: string }> {
  let s = served.get(kind);
  if (!etag) {
    const json = await openapiV2Body('application/json');
    etag = createHash('sha512').update(json.body).digest('hex').toUpperCase();
  }
  if (!s) {
    const b = await openapiV2Body(kind === 'proto' ? OPENAPI_V2_PROTOBUF : 'application/json');
    s = { body: b.body, contentType: kind === 'proto' ? OPENAPI_V2_PROTOBUF_REPLY : 'application/json' };
    served.set(kind, s);
  }
  return { s, etag };
}

function acceptsGzip(header: string | undefined): boolean {
  for (const enc of (header ?? '').split(',')) {
    const [name, ...params] = enc.split(';').map((p) => p.trim());
    if (name !== 'gzip') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number.parseFloat(q.slice(2)) > 0;
  }
  return false;
}

export async function serveOpenapiV2(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const kind = negotiateV2(req.headers.accept);
  res.setHeader('Vary', ['Accept', 'Accept-Encoding']);
  if (!kind) {
    res.writeHead(406);
    res.end();
    return;
  }
  const { s, etag: tag } = await form(kind);
  let body = s.body;
  let quoted = `"${tag}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': s.contentType,
    'Last-Modified': lastModified,
    'Cache-Control': 'no-cache, private',
    'Accept-Ranges': 'bytes',
  };
  if (acceptsGzip(req.headers['accept-encoding'])) {
    s.gzipped ??= gzipSync(s.body);
    body = s.gzipped;
    quoted = `"${tag}-gzip"`;
    headers['Content-Encoding'] = 'gzip';
  }
  headers.Etag = quoted;
  const inm = req.headers['if-none-match'];
  if (inm?.split(',').some((t) => t.trim() === quoted || t.trim() === '*')) {
    res.writeHead(304, { Etag: quoted, 'Last-Modified': lastModified, 'Cache-Control': 'no-cache, private' });
    res.end();
    return;
  }
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
