// ServiceAccount tokens, as upstream's pkg/serviceaccount: JWTs signed with the cluster's service-account key
// (ES256 here), with the `kubernetes.io` private claims (namespace, service account, bound pod or secret), an
// audience and an expiry; their verification (signature, issuer, audience, time); and the OIDC discovery
// documents (`/.well-known/openid-configuration`, `/openid/v1/jwks`).
import { createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import { exportJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { LEGACY_ISSUER, serviceAccountKeyId } from '../../pki/index.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface BoundObject {
  kind: 'Pod' | 'Secret';
  name: string;
  uid: string;
}

export interface TokenClaims {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  bound?: BoundObject;
  node?: { name: string; uid: string };
}

/** What a verified token says. */
export interface VerifiedToken {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  secret?: { name: string; uid: string };
  expiresAt: number;
}

/** What a verified legacy token says. */
export interface LegacyToken {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  secretName: string;
}

export class TokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** upstream's keyIDFromPublicKey: base64url of the SHA-256 of the public key's PKIX DER. */
  readonly keyId: string;

  constructor(
    privateKeyPem: string,
    readonly issuer = DEFAULT_ISSUER,
    /** The audiences the API server accepts (upstream --api-audiences; default: the issuer). */
    readonly apiAudiences: string[] = [issuer],
  ) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = serviceAccountKeyId(this.publicKey);
  }

  async issue(c: TokenClaims, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + c.expirationSeconds;
    const k8s: Record<string, unknown> = {
      namespace: c.namespace,
      serviceaccount: { name: c.serviceAccount.name, uid: c.serviceAccount.uid },
    };
    if (c.bound?.kind === 'Pod') k8s.pod = { name: c.bound.name, uid: c.bound.uid };
    if (c.bound?.kind === 'Secret') k8s.secret = { name: c.bound.name, uid: c.bound.uid };
    if (c.node) k8s.node = c.node;
    const token = await new SignJWT({ 'kubernetes.io': k8s })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${c.namespace}:${c.serviceAccount.name}`)
      .setAudience(c.audiences)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The token's service account, or undefined when it is not one of ours, or expired, or for another audience. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    if (token.split('.').length !== 3 || token.length > 16_384) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: this.issuer,
        audience: this.apiAudiences,
        algorithms: ['ES256'],
        clockTolerance: 60,
      });
      const k = payload['kubernetes.io'] as
        | {
            namespace?: unknown;
            serviceaccount?: { name?: unknown; uid?: unknown };
            pod?: { name?: unknown; uid?: unknown };
            secret?: { name?: unknown; uid?: unknown };
          }
        | undefined;
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const ns = str(k?.namespace);
      const name = str(k?.serviceaccount?.name);
      const uid = str(k?.serviceaccount?.uid);
      if (!ns || !name || !uid || payload.sub !== `system:serviceaccount:${ns}:${name}`) return undefined;
      const ref = (o?: { name?: unknown; uid?: unknown }) =>
        o && str(o.name) && str(o.uid) ? { name: str(o.name)!, uid: str(o.uid)! } : undefined;
      return {
        namespace: ns,
        serviceAccount: { name, uid },
        pod: ref(k?.pod),
        secret: ref(k?.secret),
        expiresAt: (payload.exp ?? 0) * 1000,
      };
    } catch {
      return undefined;
    }
  }

  /**
   * A legacy token (a `kubernetes.io/service-account-token` Secret's): signature and claims only; the caller
   * checks that the secret still holds it and that the account keeps its uid.
   */
  async verifyLegacy(token: string): Promise<LegacyToken | undefined> {
    if (token.split('.').length !== 3 || token.length > 16_384) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.publicKey, { issuer: LEGACY_ISSUER, algorithms: ['ES256'] });
      const str = (k: string) => {
        const v = payload[`kubernetes.io/serviceaccount/${k}`];
        return typeof v === 'string' && v ? v : undefined;
      };
      const namespace = str('namespace');
      const name = str('service-account.name');
      const uid = str('service-account.uid');
      const secretName = str('secret.name');
      if (!namespace || !name || !uid || !secretName) return undefined;
      if (payload.sub !== `system:serviceaccount:${namespace}:${name}`) return undefined;
      return { namespace, serviceAccount: { name, uid }, secretName };
    } catch {
      return undefined;
    }
  }

  /** `/.well-known/openid-configuration`, as upstream serves it. */
  openidConfiguration(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.publicKey);
    return { keys: [{ ...jwk, use: 'sig', kid: this.keyId, alg: 'ES256' }] };
  }
}
