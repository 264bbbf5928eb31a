// The certificate controllers (upstream's csrsigning and csrapproving):
// - signer: approved CSRs of kubernetes.io/kube-apiserver-client and .../kube-apiserver-client-kubelet get a
//   certificate from the client CA in status.certificate (PUT .../status), or a Failed condition when the
//   request does not fit the signer.
// - approver: kubelet client CSRs whose requester may `create certificatesigningrequests/selfnodeclient`
//   (renewal by the node itself) or `.../nodeclient` (a bootstrap identity), asked with a SubjectAccessReview,
//   get an Approved condition (PUT .../approval).
import { isConflict, isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import { type CertificateSigningRequest, resources, rfc3339 } from '../../core/index.js';
import { type CertificateAndKey, parseCertificateRequest, signCertificateRequest } from '../../pki/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import {
  autoApprovedCondition,
  DEFAULT_SIGNING_DURATION_MS,
  decideSigning,
  type RequestSubject,
  recognize,
  signerFailedCondition,
} from './decide.js';

export interface CsrSigningOptions {
  /** The client CA that signs (its key never goes through the API); without it the signer is off. */
  clientCa?: CertificateAndKey;
  /** Upstream --cluster-signing-duration (default 1 year). */
  durationMs?: number;
  workers?: number;
}

/** The request's subject, or why it does not parse. */
export function requestSubject(csr: CertificateSigningRequest): RequestSubject | { error: string } {
  try {
    return parseCertificateRequest(Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8'));
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function csrQueue(ctx: ControllerContext) {
  const informer = ctx.informers.forResource<CertificateSigningRequest>(resources.certificatesigningrequests);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  informer.addEventHandler({
    onAdd: (c) => queue.add(c.metadata.name!),
    onUpdate: (_o, c) => queue.add(c.metadata.name!),
  });
  return { informer, queue };
}

/** upstream kube-controller-manager runs the CSR signer and approver with 5 workers each. */
const WORKERS = 5;

const path = (name: string, subresource?: string) =>
  resourcePath(resources.certificatesigningrequests, { name, subresource });

export function startCsrSigningController(
  ctx: ControllerContext,
  opts: CsrSigningOptions = {},
): RunningController | undefined {
  const ca = opts.clientCa;
  if (!ca) return undefined;
  const name = 'csrsigning';
  const { informer, queue } = csrQueue(ctx);
  const sync = async (key: string) => {
    const csr = informer.get(key);
    if (!csr) return;
    const decision = decideSigning(csr, requestSubject(csr), opts.durationMs ?? DEFAULT_SIGNING_DURATION_MS);
    if (decision.action === 'none') return;
    const status = structuredClone(csr.status ?? {});
    if (decision.action === 'fail') {
      status.conditions = [
        ...(status.conditions ?? []),
        signerFailedCondition(decision.message, rfc3339(ctx.clock.now())),
      ];
    } else {
      const requestPem = Buffer.from(csr.spec.request, 'base64').toString('utf8');
      const certPem = await signCertificateRequest(ca, requestPem, {
        usages: (csr.spec.usages ?? []).map(String),
        durationMs: decision.durationMs,
        now: new Date(ctx.clock.now()),
      });
      status.certificate = Buffer.from(certPem).toString('base64');
    }
    try {
      await ctx.client.updateStatus(path(key), { ...csr, status });
      ctx.log(decision.action === 'sign' ? 'signed certificate' : 'refused to sign', {
        controller: name,
        csr: key,
        signer: csr.spec.signerName,
        ...(decision.action === 'fail' ? { reason: decision.message } : {}),
      });
    } catch (err) {
      // A newer version is on its way through the informer, or the CSR is gone.
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  };
  return runWorkers({ name, ctx, queue, waitFor: [informer], workers: opts.workers ?? WORKERS, sync });
}

interface SubjectAccessReviewAnswer {
  status?: { allowed?: boolean };
}

export function startCsrApprovingController(
  ctx: ControllerContext,
  opts: { workers?: number } = {},
): RunningController {
  const name = 'csrapproving';
  const { informer, queue } = csrQueue(ctx);
  const allowed = async (csr: CertificateSigningRequest, subresource: string): Promise<boolean> => {
    const sar = (await ctx.client.create(resourcePath(resources.subjectaccessreviews), {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: csr.spec.username,
        uid: csr.spec.uid,
        groups: csr.spec.groups,
        extra: csr.spec.extra,
        resourceAttributes: {
          group: 'certificates.k8s.io',
          resource: 'certificatesigningrequests',
          verb: 'create',
          subresource,
          version: '*',
        },
      },
    })) as SubjectAccessReviewAnswer;
    return sar.status?.allowed === true;
  };
  const sync = async (key: string) => {
    const csr = informer.get(key);
    if (!csr) return;
    const tried: string[] = [];
    for (const r of recognize(csr, requestSubject(csr))) {
      tried.push(r.subresource);
      if (!(await allowed(csr, r.subresource))) continue;
      const status = structuredClone(csr.status ?? {});
      const now = rfc3339(ctx.clock.now());
      status.conditions = [...(status.conditions ?? []), autoApprovedCondition(r.message, now)];
      try {
        await ctx.client.update(path(key, 'approval'), { ...csr, status });
        ctx.log('approved certificate signing request', { controller: name, csr: key, as: r.subresource });
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
      }
      return;
    }
    if (tried.length > 0) {
      // upstream's ignorableError: requeued with back-off (RBAC may not have caught up yet).
      throw new Error(`recognized csr "${key}" as [${tried.join(' ')}] but subject access review was not approved`);
    }
  };
  return runWorkers({ name, ctx, queue, waitFor: [informer], workers: opts.workers ?? WORKERS, sync });
}
