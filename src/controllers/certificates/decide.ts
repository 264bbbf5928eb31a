// Pure decisions of the certificate controllers, as upstream's pkg/controller/certificates (signer, approver)
// and pkg/apis/certificates/v1 helpers: which CSRs are done, which a signer signs or fails, for how long,
// and which kind of node client request the approver recognizes.
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../core/index.js';

export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
/** Upstream --cluster-signing-duration default: one year. */
export const DEFAULT_SIGNING_DURATION_MS = 365 * 24 * 3600 * 1000;
/** Upstream's floor on a requested duration (twice the 5-minute backdate). */
const MIN_DURATION_MS = 10 * 60 * 1000;

/** The subject and SANs of the CSR's request (pki's parseCertificateRequest). */
export interface RequestSubject {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ips: string[];
  emails: string[];
  uris: string[];
}

const hasTrue = (csr: CertificateSigningRequest, type: string) =>
  (csr.status?.conditions ?? []).some((c) => c.type === type && (c.status ?? 'True') === 'True');

export const isApproved = (csr: CertificateSigningRequest) => hasTrue(csr, 'Approved') && !hasTrue(csr, 'Denied');
export const isDenied = (csr: CertificateSigningRequest) => hasTrue(csr, 'Denied');
export const isFailed = (csr: CertificateSigningRequest) => hasTrue(csr, 'Failed');
export const isIssued = (csr: CertificateSigningRequest) => !!csr.status?.certificate;

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

/** upstream ValidateKubeletClientCSR: O exactly [system:nodes], CN system:node:<name>, no SANs, kubelet usages. */
export function kubeletClientRequestError(subject: RequestSubject, usages: string[]): string | undefined {
  if (subject.organizations.length !== 1 || subject.organizations[0] !== 'system:nodes')
    return 'subject organization is not system:nodes';
  if (subject.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (subject.emails.length > 0) return 'Email subjectAltNames are not allowed';
  if (subject.ips.length > 0) return 'IP subjectAltNames are not allowed';
  if (subject.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!subject.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  const required = ['client auth', 'digital signature', 'key encipherment'];
  if (!sameSet(usages, required) && !sameSet(usages, ['client auth', 'digital signature']))
    return `usages did not match [${required.join(' ')}]`;
  return undefined;
}

/** upstream validAPIServerClientUsages: client auth required; digital signature and key encipherment optional. */
export function apiServerClientUsagesError(usages: string[]): string | undefined {
  for (const u of usages) {
    if (u !== 'client auth' && u !== 'digital signature' && u !== 'key encipherment')
      return `invalid usage for client certificate: ${u}`;
  }
  if (!usages.includes('client auth')) return 'missing required usage for client certificate: client auth';
  return undefined;
}

export type SignDecision =
  /** Not this controller's CSR, or nothing (more) to do. */
  | { action: 'none' }
  | { action: 'sign'; durationMs: number }
  /** Add a Failed condition (reason SignerValidationFailure). */
  | { action: 'fail'; message: string };

/** upstream csrsigning handle(): approved, not failed, not issued, of one of our signers, valid for it. */
export function decideSigning(
  csr: CertificateSigningRequest,
  subject: RequestSubject | { error: string },
  defaultDurationMs = DEFAULT_SIGNING_DURATION_MS,
): SignDecision {
  const signer = csr.spec?.signerName;
  if (signer !== KUBE_APISERVER_CLIENT_SIGNER && signer !== KUBELET_CLIENT_SIGNER) return { action: 'none' };
  if (!isApproved(csr) || isFailed(csr) || isIssued(csr)) return { action: 'none' };
  if ('error' in subject) return { action: 'fail', message: `unable to parse csr: ${subject.error}` };
  const usages = (csr.spec?.usages ?? []).map(String);
  const error =
    signer === KUBELET_CLIENT_SIGNER ? kubeletClientRequestError(subject, usages) : apiServerClientUsagesError(usages);
  if (error) return { action: 'fail', message: error };
  return { action: 'sign', durationMs: signingDuration(csr.spec?.expirationSeconds, defaultDurationMs) };
}

/** upstream signer.duration: the requested expirationSeconds, at most the default, at least 10 minutes. */
export function signingDuration(expirationSeconds: number | undefined, defaultDurationMs: number): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return defaultDurationMs;
  const requested = expirationSeconds * 1000;
  if (requested > defaultDurationMs) return defaultDurationMs;
  if (requested < MIN_DURATION_MS) return MIN_DURATION_MS;
  return requested;
}

/** A SubjectAccessReview permission the approver asks about, with the message of its approval. */
export interface Recognized {
  subresource: 'selfnodeclient' | 'nodeclient';
  message: string;
}

/**
 * upstream sarapprove: undecided, unissued kubelet client CSRs; a renewal by the node itself (requester ==
 * CN) is checked against `selfnodeclient` first, every kubelet client CSR against `nodeclient`.
 */
export function recognize(csr: CertificateSigningRequest, subject: RequestSubject | { error: string }): Recognized[] {
  if (isIssued(csr) || hasTrue(csr, 'Approved') || isDenied(csr)) return [];
  if ('error' in subject) return [];
  if (csr.spec?.signerName !== KUBELET_CLIENT_SIGNER) return [];
  if (kubeletClientRequestError(subject, (csr.spec?.usages ?? []).map(String))) return [];
  const out: Recognized[] = [];
  if (csr.spec?.username === subject.commonName) {
    out.push({
      subresource: 'selfnodeclient',
      message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
    });
  }
  out.push({
    subresource: 'nodeclient',
    message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
  });
  return out;
}

/** The condition the approver adds (upstream appendApprovalCondition). */
export function autoApprovedCondition(message: string, now: string): CertificateSigningRequestCondition {
  return { type: 'Approved', status: 'True', reason: 'AutoApproved', message, lastUpdateTime: now };
}

/** The condition the signer adds to a CSR it will not sign. */
export function signerFailedCondition(message: string, now: string): CertificateSigningRequestCondition {
  return { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message, lastUpdateTime: now };
}
