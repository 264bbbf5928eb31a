// certificates.k8s.io/v1 CertificateSigningRequests: the registry strategies (upstream
// pkg/registry/certificates/certificates/strategy.go) and the certificate admission plugins
// (plugin/pkg/admission/certificates/{approval,signing,subjectrestriction}).
// - create: the requester's identity goes into spec.username/uid/groups/extra, whatever the client sent;
//   no status.
// - update of the main resource: spec and status stay as they were (only metadata changes).
// - `status`: only status changes, and the Approved/Denied conditions stay as they were; a certificate once
//   set may not change.
// - `approval`: only status.conditions change.
// - approving needs `approve` on signers/<signerName> (or <domain>/*), setting a certificate `sign`;
//   a kube-apiserver-client CSR may not ask for group system:masters.
import { errors, field } from '../core/status.js';
import type { KubeObject } from '../core/types.js';
import { parseCertificateRequest } from '../pki/index.js';
import type { Authorizer, UserInfo } from './authz/index.js';

const GROUP = 'certificates.k8s.io';
const RESOURCE = 'certificatesigningrequests';
const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

type Obj = Record<string, unknown>;
type Condition = Obj & { type?: string; status?: string; lastUpdateTime?: string; lastTransitionTime?: string };

export const isCsr = (r: { group: string; kind: string }) =>
  r.group === GROUP && r.kind === 'CertificateSigningRequest';

const specOf = (o: KubeObject): Obj => (o.spec ?? {}) as Obj;
const statusOf = (o: KubeObject): Obj => (o.status ?? {}) as Obj;
const conditionsOf = (o: KubeObject): Condition[] => (statusOf(o).conditions ?? []) as Condition[];

/** PrepareForCreate: the server says who asked. */
export function prepareCsrCreate(obj: KubeObject, user: UserInfo | undefined): void {
  delete obj.status;
  if (!user) return;
  const spec = specOf(obj);
  obj.spec = spec;
  spec.username = user.name;
  spec.groups = [...user.groups];
  delete spec.uid;
  delete spec.extra;
}

/** upstream populateConditionTimestamps: new conditions get lastUpdateTime; lastTransitionTime when the status changed. */
function populateTimestamps(obj: KubeObject, old: KubeObject, now: string): void {
  const before = new Map(conditionsOf(old).map((c) => [c.type, c]));
  for (const c of conditionsOf(obj)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = now;
    if (!c.lastTransitionTime) {
      const prev = before.get(c.type);
      c.lastTransitionTime =
        prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now;
    }
  }
}

/**
 * PrepareForUpdate of the main resource, `status` and `approval`: the object to write, built from the old one and
 * what each may change. Throws 422 for what the subresource may not do.
 */
export function prepareCsrUpdate(
  sub: string | undefined,
  incoming: KubeObject,
  old: KubeObject,
  now: string,
): KubeObject {
  const name = old.metadata.name ?? '';
  if (sub === 'approval') {
    const obj = structuredClone(old);
    obj.status = { ...statusOf(old), conditions: structuredClone(conditionsOf(incoming)) };
    const errs = [];
    for (const t of ['Approved', 'Denied', 'Failed']) {
      if (conditionsOf(old).some((c) => c.type === t) && !conditionsOf(obj).some((c) => c.type === t))
        errs.push(
          field.forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`),
        );
    }
    if (errs.length) throw errors.invalid(GROUP, 'CertificateSigningRequest', name, errs);
    populateTimestamps(obj, old, now);
    return obj;
  }
  if (sub === 'status') {
    const obj = structuredClone(old);
    obj.metadata = incoming.metadata;
    const status = structuredClone(statusOf(incoming));
    // Approval conditions are the approval subresource's; the status may not touch them.
    const decided = conditionsOf(old).filter((c) => c.type === 'Approved' || c.type === 'Denied');
    status.conditions = [
      ...decided,
      ...((status.conditions ?? []) as Condition[]).filter((c) => c.type !== 'Approved' && c.type !== 'Denied'),
    ];
    const oldCert = (statusOf(old).certificate as string | undefined) ?? '';
    if (oldCert && status.certificate !== oldCert) {
      throw errors.invalid(GROUP, 'CertificateSigningRequest', name, [
        field.forbidden('status.certificate', 'updates may not modify existing certificate content'),
      ]);
    }
    obj.status = status;
    populateTimestamps(obj, old, now);
    return obj;
  }
  const obj = incoming;
  obj.spec = structuredClone(old.spec);
  obj.status = structuredClone(old.status);
  return obj;
}

/** IsAuthorizedForSignerName: `verb` on signers/<signerName>, or on signers/<domain>/*. */
function authorizedForSigner(authz: Authorizer, user: UserInfo, verb: string, signerName: string): boolean {
  const attrs = (name: string) => ({
    user,
    verb,
    resourceRequest: true,
    apiGroup: GROUP,
    resource: 'signers',
    subresource: '',
    namespace: '',
    name,
    path: '',
  });
  if (authz.allows(attrs(signerName))) return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && authz.allows(attrs(`${signerName.slice(0, slash)}/*`));
}

/**
 * The certificate admission plugins as a guard: on create subjectrestriction (and the requester's identity),
 * on `approval` the approve permission, on `status` the sign permission when the certificate changes.
 */
export function csrAdmission(
  authz: Authorizer,
): (obj: KubeObject, old: KubeObject | undefined, sub: string | undefined, user: UserInfo | undefined) => void {
  return (obj, old, sub, user) => {
    const signer = String(specOf(obj).signerName ?? '');
    const name = obj.metadata.name ?? '';
    if (!old) {
      prepareCsrCreate(obj, user);
      if (signer !== KUBE_APISERVER_CLIENT_SIGNER) return;
      let orgs: string[];
      try {
        orgs = parseCertificateRequest(
          Buffer.from(String(specOf(obj).request ?? ''), 'base64').toString(),
        ).organizations;
      } catch {
        return; // validation answers an unparsable request with a 422
      }
      if (orgs.includes('system:masters'))
        throw errors.forbiddenObject(
          GROUP,
          RESOURCE,
          name,
          `use of ${signer} signer with system:masters group is not allowed`,
        );
      return;
    }
    if (!user || user.groups.includes('system:masters')) return;
    if (sub === 'approval' && !authorizedForSigner(authz, user, 'approve', signer)) {
      throw errors.forbiddenObject(
        GROUP,
        RESOURCE,
        name,
        `user not permitted to approve requests with signerName "${signer}"`,
      );
    }
    if (
      sub === 'status' &&
      (statusOf(obj).certificate ?? '') !== (statusOf(old).certificate ?? '') &&
      !authorizedForSigner(authz, user, 'sign', signer)
    ) {
      throw errors.forbiddenObject(
        GROUP,
        RESOURCE,
        name,
        `user not permitted to sign requests with signerName "${signer}"`,
      );
    }
  };
}
