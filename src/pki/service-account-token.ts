// Legacy ServiceAccount token secrets (upstream's serviceaccount tokens controller, LegacyClaims): a JWT without
// audience or expiry, issuer `kubernetes/serviceaccount`, signed ES256 with the cluster's service-account key,
// whose private claims name the namespace, the account (name, uid) and the secret that holds it. The API server
// accepts it only while that secret holds exactly this token and the account keeps its uid.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface LegacyTokenClaims {
  namespace: string;
  serviceAccountName: string;
  serviceAccountUid: string;
  secretName: string;
}

/** upstream keyIDFromPublicKey: base64url of the SHA-256 of the public key's PKIX DER. */
export function serviceAccountKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** A legacy token for the secret, signed with the service-account key (EC P-256 PEM). */
export function signLegacyServiceAccountToken(keyPem: string, c: LegacyTokenClaims): string {
  const key = createPrivateKey(keyPem);
  const header = b64url({ alg: 'ES256', kid: serviceAccountKeyId(createPublicKey(key)) });
  const payload = b64url({
    iss: LEGACY_ISSUER,
    'kubernetes.io/serviceaccount/namespace': c.namespace,
    'kubernetes.io/serviceaccount/secret.name': c.secretName,
    'kubernetes.io/serviceaccount/service-account.name': c.serviceAccountName,
    'kubernetes.io/serviceaccount/service-account.uid': c.serviceAccountUid,
    sub: `system:serviceaccount:${c.namespace}:${c.serviceAccountName}`,
  });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' });
  return `${header}.${payload}.${signature.toString('base64url')}`;
}
