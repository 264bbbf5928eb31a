// Decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON object kubectl would have sent.
// Wire format: the magic `k8s\0`, then a runtime.Unknown whose typeMeta names the kind and whose raw holds the
// object encoded with the k8s.io/api generated.proto messages.
import type { KubeObject } from '../../core/types.js';
import { errors, StatusError } from '../../core/status.js';
import { messageToJson } from './go-json.js';
import { kubeProtoRoot, objectTypeFor, unknownEnvelopeType } from './schema-root.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** True for `application/vnd.kubernetes.protobuf` with or without parameters. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_CONTENT_TYPE;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

/** Load the .proto schemas now (about 0.1 s) instead of on the first protobuf request. */
export function warmUpProtobufDecoder(): void {
  kubeProtoRoot();
}

/** Decode a protobuf body. Throws a 400 StatusError for anything malformed or of a kind we cannot read. */
export function decodeProtobufObject(body: Buffer): KubeObject {
  const envelope = decodeEnvelope(body);
  const type = objectTypeFor(envelope.apiVersion, envelope.kind);
  if (!type) {
    throw errors.badRequest(
      `no kind "${envelope.kind}" is registered for version "${envelope.apiVersion}" in the protobuf decoder`,
    );
  }
  const decoded = guarded(() => type.decode(envelope.raw), `${envelope.kind} object`);
  const fields = guarded(() => messageToJson(type, decoded as unknown as Record<string, unknown>), envelope.kind);
  // Go writes TypeMeta (kind, apiVersion) first; keep that order so re-serialised JSON matches.
  const object = { kind: envelope.kind, apiVersion: envelope.apiVersion, ...(fields as Record<string, unknown>) };
  return object as KubeObject;
}

function decodeEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw errors.badRequest('protobuf body does not start with the k8s\\0 magic prefix');
  }
  const unknown = guarded(
    () => unknownEnvelopeType().toObject(unknownEnvelopeType().decode(body.subarray(MAGIC.length)), { bytes: Buffer }),
    'runtime.Unknown envelope',
  );
  const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  if (!typeMeta.kind) throw errors.badRequest("Object 'Kind' is missing in protobuf body");
  if (!typeMeta.apiVersion) throw errors.badRequest("Object 'apiVersion' is missing in protobuf body");
  const contentEncoding = unknown['contentEncoding'];
  if (typeof contentEncoding === 'string' && contentEncoding !== '') {
    throw errors.badRequest(`unsupported protobuf content encoding "${contentEncoding}"`);
  }
  const contentType = unknown['contentType'];
  if (typeof contentType === 'string' && contentType !== '' && !isProtobufContentType(contentType)) {
    throw errors.badRequest(`unsupported content type "${contentType}" inside protobuf envelope`);
  }
  const raw = unknown['raw'];
  return {
    apiVersion: typeMeta.apiVersion,
    kind: typeMeta.kind,
    raw: raw instanceof Uint8Array ? raw : new Uint8Array(),
  };
}

/** protobufjs throws plain Errors (RangeError on truncation, wire-type mismatches): report them as 400s. */
function guarded<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StatusError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw errors.badRequest(`failed to decode protobuf ${what}: ${reason}`);
  }
}
