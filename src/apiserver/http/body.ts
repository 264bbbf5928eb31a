// Reads and decodes request bodies: size limit, JSON, YAML, and protobuf envelopes.
import type { IncomingMessage } from 'node:http';
import { checkDepth, decodeJson, decodeYaml } from '../../apimachinery/decode.js';
import { decodeProtobufObject } from '../../apimachinery/protobuf/index.js';
import { errors } from '../../core/status.js';

/** Upstream's limit for a request body is 3 MiB. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Requests whose body can never arrive (the connection's parser failed before a reader listened). */
const brokenBodies = new WeakMap<IncomingMessage, string>();

export function markBodyBroken(req: IncomingMessage, why: string): void {
  brokenBodies.set(req, why);
}

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
    // The body may have failed before anyone listened (authentication is asynchronous): answer that now.
    const broken = brokenBodies.get(req);
    if (broken) {
      reject(errors.badRequest(`error reading the request body: ${broken}`));
      return;
    }
    if (req.errored) {
      reject(errors.badRequest(`error reading the request body: ${req.errored.message}`));
      return;
    }
    if (req.destroyed && !req.complete) {
      reject(errors.badRequest('the request body was not complete'));
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
    let ended = false;
    req.on('end', () => {
      ended = true;
      if (failed) return;
      const body = Buffer.concat(chunks);
      bodies.set(req, body);
      resolve(body);
    });
    // A body cut short (a malformed chunk, a closed connection) is the client's fault, never a hang or a 500.
    req.on('error', (e) => {
      if (failed || ended) return;
      failed = true;
      reject(errors.badRequest(`error reading the request body: ${e.message}`));
    });
    req.on('close', () => {
      if (failed || ended) return;
      failed = true;
      reject(errors.badRequest('the request body was not complete'));
    });
  });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decodes a JSON, YAML or protobuf request body into a plain value with the bounded decoders (nesting depth,
 * YAML aliases): every failure is a 400, never a blown stack.
 */
export function decodeBody(buf: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') {
    const obj = decodeProtobufObject(buf);
    checkDepth(obj);
    return obj;
  }
  const text = buf.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    return decodeYaml(text);
  }
  if (type !== '' && !type.endsWith('json')) throw errors.unsupportedMediaType(type);
  return decodeJson(text);
}

/** A patch document (JSON, whatever the patch type), bounded like a body. */
export function decodePatch(buf: Buffer): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  checkDepth(doc, 'the patch');
  return doc;
}
