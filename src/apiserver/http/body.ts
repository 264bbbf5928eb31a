// Reads and decodes request bodies: size limit, JSON, YAML, and protobuf envelopes.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject } from '../../apimachinery/protobuf/index.js';
import { errors } from '../../core/status.js';

/** Upstream's limit for a request body is 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** The body each request sent, once read (the audit log's requestObject). */
const bodies = new WeakMap<IncomingMessage, Buffer>();

export function requestBodyOf(req: IncomingMessage): Buffer | undefined {
  return bodies.get(req);
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(errors.tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      const body = Buffer.concat(chunks);
      bodies.set(req, body);
      resolve(body);
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a JSON, YAML or protobuf request body into a plain value. */
export function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeProtobufObject(buf);
  const text = buf.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (type !== '' && !type.endsWith('json')) throw errors.unsupportedMediaType(type);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}
