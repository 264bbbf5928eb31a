// Legacy ServiceAccount token secrets (upstream's serviceaccount-token controller, `tokens_controller.go`): only
// when asked for. A Secret of type `kubernetes.io/service-account-token` whose annotation
// `kubernetes.io/service-account.name` names an existing ServiceAccount gets a legacy token (no expiry), the
// cluster CA and the namespace in its data, and the account's uid in its annotations; a token secret whose
// account does not exist (or has another uid than the annotation's) is deleted, as are an account's token
// secrets when it goes. No Secret is ever made on the controller's own initiative.
import { type ApiClient, isConflict, isNotFound, resourcePath, WorkQueue } from '../../client/index.js';
import type { Secret, ServiceAccount } from '../../core/index.js';
import { resources } from '../../core/index.js';
import { signLegacyServiceAccountToken } from '../../pki/index.js';
import type { ControllerContext, RunningController } from '../context.js';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';
const COMPONENT = 'serviceaccount-token-controller';

export type TokenSecretDecision =
  | { action: 'none' }
  | { action: 'delete' }
  /** Fill in what is missing: the ca.crt and namespace data, the token when `token` is set, the annotations. */
  | { action: 'update'; data: Record<string, string>; annotations: Record<string, string>; token: boolean };

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** upstream IsServiceAccountToken: the secret is a token of this account (by name, and by uid when it says). */
export function isTokenOf(secret: Secret, sa: ServiceAccount): boolean {
  const a = secret.metadata.annotations ?? {};
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || a[SA_NAME_ANNOTATION] !== sa.metadata.name) return false;
  return !a[SA_UID_ANNOTATION] || a[SA_UID_ANNOTATION] === sa.metadata.uid;
}

/** What the controller does with a token secret, given its account (undefined: there is none). */
export function decideTokenSecret(secret: Secret, sa: ServiceAccount | undefined, caPem?: string): TokenSecretDecision {
  if (secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE || secret.metadata.deletionTimestamp) return { action: 'none' };
  if (!sa || !isTokenOf(secret, sa) || sa.metadata.deletionTimestamp) return { action: 'delete' };
  const data = secret.data ?? {};
  const add: Record<string, string> = {};
  if (caPem && data['ca.crt'] !== b64(caPem)) add['ca.crt'] = b64(caPem);
  if (data.namespace !== b64(secret.metadata.namespace ?? '')) add.namespace = b64(secret.metadata.namespace ?? '');
  const token = !data.token;
  if (Object.keys(add).length === 0 && !token && secret.metadata.annotations?.[SA_UID_ANNOTATION]) {
    return { action: 'none' };
  }
  return {
    action: 'update',
    data: add,
    annotations: { [SA_NAME_ANNOTATION]: sa.metadata.name!, [SA_UID_ANNOTATION]: sa.metadata.uid! },
    token,
  };
}

export interface TokensControllerOptions {
  /** The service-account signing key (PEM); without it the controller does not run. */
  keyPem?: string;
  rootCaPem?: string;
}

export function startTokensController(
  ctx: ControllerContext,
  opts: TokensControllerOptions,
): RunningController | undefined {
  const keyPem = opts.keyPem;
  if (!keyPem) return undefined;
  const { client, log } = ctx;
  const secrets = ctx.informers.forResource<Secret>(resources.secrets);
  const accounts = ctx.informers.forResource<ServiceAccount>(resources.serviceaccounts);
  const queue = new WorkQueue<string>();
  const key = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace}/${o.metadata.name}`;
  const enqueue = (s: Secret) => {
    if (s.type === SERVICE_ACCOUNT_TOKEN_TYPE) queue.add(key(s));
  };
  secrets.addEventHandler({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });
  const accountChanged = (sa: ServiceAccount) => {
    for (const s of secrets.list())
      if (
        s.metadata.namespace === sa.metadata.namespace &&
        s.metadata.annotations?.[SA_NAME_ANNOTATION] === sa.metadata.name
      )
        enqueue(s);
  };
  accounts.addEventHandler({
    onAdd: accountChanged,
    onUpdate: (_o, sa) => accountChanged(sa),
    onDelete: accountChanged,
  });

  const sync = (client: ApiClient) => async (k: string) => {
    const [namespace, name] = k.split('/') as [string, string];
    const path = resourcePath(resources.secrets, { namespace, name });
    let secret: Secret;
    try {
      secret = (await client.get(path)) as Secret;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const saName = secret.metadata.annotations?.[SA_NAME_ANNOTATION] ?? '';
    let sa = saName ? accounts.get(`${namespace}/${saName}`) : undefined;
    if (!sa && saName) {
      // the cache may lag behind a fresh account: ask before deleting anything
      try {
        sa = (await client.get(resourcePath(resources.serviceaccounts, { namespace, name: saName }))) as ServiceAccount;
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    const d = decideTokenSecret(secret, sa, opts.rootCaPem);
    if (d.action === 'none') return;
    if (d.action === 'delete') {
      try {
        await client.delete(path, { preconditions: { uid: secret.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      log('deleted a token secret without its ServiceAccount', { controller: COMPONENT, namespace, name });
      return;
    }
    const data = { ...(secret.data ?? {}), ...d.data };
    if (d.token)
      data.token = b64(
        signLegacyServiceAccountToken(keyPem, {
          namespace,
          serviceAccountName: sa!.metadata.name!,
          serviceAccountUid: sa!.metadata.uid!,
          secretName: name,
        }),
      );
    const annotations = { ...(secret.metadata.annotations ?? {}), ...d.annotations };
    await client.update(path, { ...secret, metadata: { ...secret.metadata, annotations }, data });
  };
  const handle = sync(client);
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const k = await queue.get();
      if (k === undefined) return;
      try {
        await handle(k);
        queue.forget(k);
      } catch (err) {
        log('token secret sync failed', { controller: COMPONENT, secret: k, error: String(err) });
        queue.addRateLimited(k);
      } finally {
        queue.done(k);
      }
    }
  };
  void worker();
  return {
    name: COMPONENT,
    stop: async () => {
      stopped = true;
      queue.shutDown();
    },
  };
}
