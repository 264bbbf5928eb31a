// certificates.k8s.io/v1 CertificateSigningRequest (certificates validation.go): a verifiable PKCS#10
// request, known usages, a domain-qualified signer, and conditions whose approvals only grow.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isDNS1123Label, isValidPathSegmentName } from '../../core/names.js';
import { arr, num, obj, type Obj, str } from './access.js';
import { certificateError, certificateRequestError } from './pkcs10.js';
import { validateObjectMeta } from './objectmeta.js';

const USAGES = [
  'any',
  'cert sign',
  'client auth',
  'code signing',
  'content commitment',
  'crl sign',
  'data encipherment',
  'decipher only',
  'digital signature',
  'email protection',
  'encipher only',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'key agreement',
  'key encipherment',
  'microsoft sgc',
  'netscape sgc',
  'ocsp signing',
  's/mime',
  'server auth',
  'signing',
  'timestamping',
];
const LEGACY_SIGNER = 'kubernetes.io/legacy-unknown';
const TRUE_ONLY = ['Approved', 'Denied', 'Failed'];
const ALL_STATUS = ['False', 'True', 'Unknown'];

/** ValidateSignerName: `<domain with a dot>/<path segment>`. */
function validateSignerName(signer: string, path: string): FieldError[] {
  if (!signer) return [field.required(path, '')];
  const segments = signer.split('/');
  if (segments.length !== 2) {
    return [
      field.invalid(path, signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'"),
    ];
  }
  const [domain, name] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push(field.tooLong(path, 253));
  const labels = domain.split('.');
  for (const label of labels) {
    const msgs = isDNS1123Label(label);
    if (msgs.length) {
      for (const m of msgs) errs.push(field.invalid(path, domain, `validating label ${JSON.stringify(label)}: ${m}`));
      break;
    }
  }
  if (labels.length < 2)
    errs.push(field.invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const m of isValidPathSegmentName(name)) errs.push(field.invalid(path, name, m));
  return errs;
}

function validateConditions(conditions: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditions.forEach((raw, i) => {
    const p = `status.conditions[${i}]`;
    const c = obj(raw) ?? {};
    const type = str(c.type) ?? '';
    if (!type) errs.push(field.required(`${p}.type`, ''));
    const allowed = TRUE_ONLY.includes(type) ? ['True'] : ALL_STATUS;
    const status = str(c.status) ?? '';
    if (!status) errs.push(field.required(`${p}.status`, ''));
    else if (!allowed.includes(status)) errs.push(field.notSupported(`${p}.status`, status, allowed));
    if (type === 'Approved') {
      approved = true;
      if (denied) errs.push(field.invalid(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
    } else if (type === 'Denied') {
      denied = true;
      if (approved)
        errs.push(field.invalid(`${p}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (seen.has(type)) errs.push(field.duplicate(`${p}.type`, type));
    seen.add(type);
  });
  return errs;
}

const conditionsOf = (o: KubeObject, type: string): Obj[] =>
  arr(obj(o.status)?.conditions)
    .map((c) => obj(c) ?? {})
    .filter((c) => c.type === type);

/**
 * Main-resource updates may not add, remove or change approvals nor set the certificate; the approval and
 * status subresources lift those rules (the API server validates them without `old`).
 */
function validateUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (conditionsOf(o, t).length < conditionsOf(old, t).length) {
      errs.push(
        field.forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`),
      );
    }
  }
  for (const t of ['Approved', 'Denied']) {
    const now = conditionsOf(o, t);
    const before = conditionsOf(old, t);
    if (now.length > before.length) {
      errs.push(field.forbidden('status.conditions', `updates may not add a condition of type ${JSON.stringify(t)}`));
    } else if (now.length === before.length && JSON.stringify(now) !== JSON.stringify(before)) {
      errs.push(
        field.forbidden('status.conditions', `updates may not modify a condition of type ${JSON.stringify(t)}`),
      );
    }
  }
  if ((str(obj(o.status)?.certificate) ?? '') !== (str(obj(old.status)?.certificate) ?? '')) {
    errs.push(field.forbidden('status.certificate', 'updates may not set certificate content'));
  }
  return errs;
}

export function validateCertificateSigningRequest(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  // Upstream does not care what certificate requests are called (beyond being a path segment).
  const errs = validateObjectMeta(o, { namespaced: false, name: isValidPathSegmentName });
  const request = str(spec.request) ?? '';
  const err = certificateRequestError(Buffer.from(request, 'base64'));
  if (err) errs.push(field.invalid('spec.request', request, err));
  const usages = arr(spec.usages).map(String);
  if (usages.length === 0) errs.push(field.required('spec.usages', ''));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!USAGES.includes(u)) errs.push(field.notSupported(`spec.usages[${i}]`, u, USAGES));
    if (seen.has(u)) errs.push(field.duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  const signer = str(spec.signerName) ?? '';
  const legacyAllowed = old !== undefined && str(obj(old.spec)?.signerName) === LEGACY_SIGNER;
  if (signer === LEGACY_SIGNER && !legacyAllowed) {
    errs.push(field.invalid('spec.signerName', signer, 'the legacy signerName is not allowed via this API version'));
  } else errs.push(...validateSignerName(signer, 'spec.signerName'));
  const expiration = num(spec.expirationSeconds);
  if (expiration !== undefined && expiration < 600) {
    errs.push(
      field.invalid(
        'spec.expirationSeconds',
        expiration,
        'may not specify a duration less than 600 seconds (10 minutes)',
      ),
    );
  }
  errs.push(...validateConditions(arr(obj(o.status)?.conditions)));
  const certificate = str(obj(o.status)?.certificate) ?? '';
  const certErr = certificateError(Buffer.from(certificate, 'base64'));
  // upstream allowArbitraryCertificate: a certificate that was already invalid may stay as it is.
  const unchanged = old !== undefined && (str(obj(old.status)?.certificate) ?? '') === certificate;
  if (certErr && !unchanged) errs.push(field.invalid('status.certificate', '<certificate data>', certErr));
  if (old) errs.push(...validateUpdate(o, old));
  return errs;
}
