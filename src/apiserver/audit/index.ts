// Audit logging of API requests (audit.k8s.io/v1 Events), as upstream's --audit-policy-file and
// --audit-log-path: each request that the policy gives a level gets a RequestReceived event (unless omitted)
// and a ResponseComplete event with the response status; Request adds the request object, RequestResponse
// the response object too (not for watches). Each response carries its `Audit-Id` header.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rfc3339Micro } from '../../core/time.js';
import type { UserInfo } from '../authz/index.js';
import { requestBodyOf } from '../http/body.js';
import { type AuditAttributes, type AuditPolicy, auditLevelOf } from './policy.js';
import { AuditFile, type AuditFileOptions } from './writer.js';

export { type AuditPolicy, AuditPolicyError, auditLevelOf, validateAuditPolicy } from './policy.js';

const CAPTURE_LIMIT = 1024 * 1024;

function parseJson(buf: Buffer | undefined): unknown {
  if (!buf || buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

export class Auditor {
  private readonly file: AuditFile;
  constructor(
    private readonly policy: AuditPolicy,
    file: AuditFileOptions,
  ) {
    this.file = new AuditFile(file);
  }

  close(): void {
    this.file.close();
  }

  /** Starts the audit of one request (call once its user and attributes are known). */
  begin(
    req: IncomingMessage,
    res: ServerResponse,
    user: UserInfo,
    attrs: AuditAttributes,
    impersonatedFrom?: UserInfo,
  ): void {
    const { level, omitStages } = auditLevelOf(this.policy, attrs);
    if (level === 'None') return;
    const received = new Date();
    const auditID = randomUUID();
    if (!res.headersSent) res.setHeader('Audit-Id', auditID);
    const who = (u: UserInfo) => ({ username: u.name, groups: u.groups });
    const base = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID,
      requestURI: req.url ?? '/',
      verb: attrs.verb,
      user: impersonatedFrom ? who(impersonatedFrom) : who(user),
      ...(impersonatedFrom ? { impersonatedUser: who(user) } : {}),
      sourceIPs: [req.socket.remoteAddress ?? ''],
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      ...(attrs.resourceRequest
        ? {
            objectRef: {
              resource: attrs.resource,
              ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
              ...(attrs.name ? { name: attrs.name } : {}),
              ...(attrs.apiGroup ? { apiGroup: attrs.apiGroup } : {}),
              ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
            },
          }
        : {}),
      requestReceivedTimestamp: rfc3339Micro(received),
    };
    if (!omitStages.has('RequestReceived'))
      this.file.write({ ...base, stage: 'RequestReceived', stageTimestamp: rfc3339Micro(received) });
    // Keep the response body (for its Status on failure, and the object at RequestResponse); not of watches.
    const chunks: Buffer[] = [];
    let captured = 0;
    if (attrs.verb !== 'watch') {
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      const keep = (chunk: unknown) => {
        if (captured > CAPTURE_LIMIT || chunk === undefined || chunk === null || typeof chunk === 'function') return;
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
        captured += b.length;
        if (captured <= CAPTURE_LIMIT) chunks.push(b);
      };
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        keep(chunk);
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as ServerResponse['write'];
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        keep(chunk);
        return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
      }) as ServerResponse['end'];
    }
    let done = false;
    const complete = () => {
      if (done || omitStages.has('ResponseComplete')) return;
      done = true;
      const body = captured <= CAPTURE_LIMIT ? parseJson(Buffer.concat(chunks)) : undefined;
      const code = res.statusCode;
      const status = body as { kind?: string; status?: string; message?: string; reason?: string } | undefined;
      const responseStatus =
        code >= 400 && status?.kind === 'Status'
          ? { metadata: {}, status: status.status, message: status.message, reason: status.reason, code }
          : { metadata: {}, code };
      const requestObject = level !== 'Metadata' ? parseJson(requestBodyOf(req)) : undefined;
      this.file.write({
        ...base,
        stage: 'ResponseComplete',
        responseStatus,
        ...(requestObject !== undefined ? { requestObject } : {}),
        ...(level === 'RequestResponse' && body !== undefined ? { responseObject: body } : {}),
        stageTimestamp: rfc3339Micro(new Date()),
        annotations: {
          'authorization.k8s.io/decision': code === 403 && status?.reason === 'Forbidden' ? 'forbid' : 'allow',
        },
      });
    };
    res.once('finish', complete);
    res.once('close', complete);
  }
}
