// ConfigMap and Secret (core validation.go ValidateConfigMap, ValidateSecret and their updates).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { deepEqual, invalidEach, key, obj, str } from './access.js';
import { isConfigMapKey } from '../../core/names.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';

const MAX_DATA_SIZE = 1024 * 1024;
const REDACTED = '<secret contents redacted>';

function validateKeys(data: unknown, path: string): FieldError[] {
  return Object.keys(obj(data) ?? {}).flatMap((k) => invalidEach(key(path, k), k, isConfigMapKey(k)));
}

function immutableWhenSet(o: KubeObject, old: KubeObject | undefined, fields: string[]): FieldError[] {
  if (!old || old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!deepEqual(o[f], old[f])) errs.push(field.forbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMap(o: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...validateKeys(o.data, 'data'), ...validateKeys(o.binaryData, 'binaryData'));
  const data = obj(o.data) ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += k.length + String(v).length;
  for (const [k, v] of Object.entries(obj(o.binaryData) ?? {})) {
    if (Object.hasOwn(data, k)) errs.push(field.invalid(key('binaryData', k), k, 'duplicate of key present in data'));
    size += k.length + String(v).length;
  }
  if (size > MAX_DATA_SIZE) errs.push(field.tooLong('', MAX_DATA_SIZE));
  errs.push(...immutableWhenSet(o, old, ['data', 'binaryData']));
  return errs;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Where base64 decoding fails, as Go's encoding/base64 reports it ("illegal base64 data at input byte N"). */
function base64Error(v: string): string | undefined {
  if (BASE64.test(v)) return undefined;
  const bad = v.search(/[^A-Za-z0-9+/=]/);
  return `illegal base64 data at input byte ${bad >= 0 ? bad : Math.floor(v.length / 4) * 4}`;
}

function requireData(data: Record<string, unknown>, k: string): FieldError[] {
  return Object.hasOwn(data, k) ? [] : [field.required(key('data', k), '')];
}

function decode(v: unknown): string {
  return Buffer.from(String(v), 'base64').toString('utf8');
}

function validateSecretType(o: KubeObject, data: Record<string, unknown>): FieldError[] {
  const type = str(o.type) ?? 'Opaque';
  switch (type) {
    case 'kubernetes.io/service-account-token':
      return str(o.metadata.annotations?.['kubernetes.io/service-account.name'])
        ? []
        : [field.required('metadata.annotations[kubernetes.io/service-account.name]', '')];
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      const missing = requireData(data, k);
      if (missing.length) return missing;
      try {
        JSON.parse(decode(data[k]));
        return [];
      } catch (e) {
        return [field.invalid(key('data', k), REDACTED, (e as Error).message)];
      }
    }
    case 'kubernetes.io/basic-auth':
      return Object.hasOwn(data, 'username') || Object.hasOwn(data, 'password')
        ? []
        : [field.required(key('data', 'username'), ''), field.required(key('data', 'password'), '')];
    case 'kubernetes.io/ssh-auth':
      return requireData(data, 'ssh-privatekey');
    case 'kubernetes.io/tls':
      return [...requireData(data, 'tls.crt'), ...requireData(data, 'tls.key')];
    default:
      return [];
  }
}

export function validateSecret(o: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const data = obj(o.data) ?? {};
  errs.push(...validateKeys(data, 'data'), ...validateKeys(o.stringData, 'stringData'));
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    const problem = typeof v === 'string' ? base64Error(v) : 'must be a base64-encoded string';
    if (problem) errs.push(field.invalid(key('data', k), REDACTED, problem));
    size += Buffer.from(String(v), 'base64').length;
  }
  if (size > MAX_DATA_SIZE) errs.push(field.tooLong('data', MAX_DATA_SIZE));
  errs.push(...validateSecretType(o, data));
  if (old) {
    const type = str(o.type) ?? 'Opaque';
    const oldType = str(old.type) ?? 'Opaque';
    if (type !== oldType) errs.push(field.invalid('type', type, 'field is immutable'));
    errs.push(...immutableWhenSet(o, old, ['data']));
  }
  return errs;
}
