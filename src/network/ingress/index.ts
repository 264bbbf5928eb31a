// The node's ingress controller: informers on Ingresses, IngressClasses, Services, EndpointSlices and TLS
// Secrets feed the pure route table (`routes.ts`); every change rebuilds it (coalesced) and swaps it into the
// listeners (`proxy.ts`). While the API server is away the last table keeps serving.
import type { ApiClient } from '../../client/api-client.js';
import { Informer } from '../../client/informer.js';
import {
  DEFAULT_INGRESS_CLASS_ANNOTATION,
  type EndpointSlice,
  type Ingress,
  type IngressClass,
  type KubeObject,
  resources,
  type Secret,
  type Service,
  TUTTI_INGRESS_CLASS,
  TUTTI_INGRESS_CONTROLLER,
} from '../../core/index.js';
import {
  type CertificatePem,
  type IngressListeners,
  type IngressListenersOptions,
  startIngressListeners,
} from './proxy.js';
import { buildRouteTable, type RouteTable } from './routes.js';
import { SERVICE_NAME_LABEL } from '../proxy/model/endpoints.js';

export type { CertificatePem, IngressListeners } from './proxy.js';
export { buildRouteTable, matchRoute, type RouteTable, tlsSecretFor } from './routes.js';

export interface IngressControllerOptions extends IngressListenersOptions {
  client: ApiClient;
  /** Least time between two rebuilds of the table. Default 50 ms. */
  minSyncPeriodMs?: number;
  /** How often the TLS Secrets Ingresses name are read again (rotated certificates); default 60 s. */
  secretRefreshMs?: number;
  /** Wait this long for the first lists before serving (an empty table until then). Default 10 s. */
  syncTimeoutMs?: number;
  /** Called after each swap (tests). */
  onSync?: (table: RouteTable) => void;
}

export interface IngressController {
  listeners: IngressListeners;
  httpPort?: number;
  httpsPort?: number;
  synced(): boolean;
  stop(): Promise<void>;
}

const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** The IngressClass `tutti server` creates at start: ours, and the cluster's default class. */
export function tuttiIngressClass(): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name: TUTTI_INGRESS_CLASS,
      annotations: { [DEFAULT_INGRESS_CLASS_ANNOTATION]: 'true' },
      labels: { 'app.kubernetes.io/managed-by': 'tutti' },
    },
    spec: { controller: TUTTI_INGRESS_CONTROLLER },
  };
}

/** Creates the `tutti` IngressClass when it is missing (an existing one, maybe edited, is left alone). */
export async function ensureTuttiIngressClass(client: ApiClient): Promise<void> {
  try {
    await client.create('/apis/networking.k8s.io/v1/ingressclasses', tuttiIngressClass());
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

function certificateOf(secret: Secret): CertificatePem | undefined {
  const cert = secret.data?.['tls.crt'];
  const key = secret.data?.['tls.key'];
  if (!cert || !key) return undefined;
  return { cert: Buffer.from(cert, 'base64').toString('utf8'), key: Buffer.from(key, 'base64').toString('utf8') };
}

/** Calls `schedule` on every add, update or delete for which `matters` holds (old or new object). */
function onChange<T extends KubeObject>(inf: Informer<T>, matters: (o: T) => boolean, schedule: () => void): void {
  const maybe = (o: T) => {
    if (matters(o)) schedule();
  };
  inf.addEventHandler({
    onAdd: maybe,
    onUpdate: (old, cur) => {
      if (matters(old) || matters(cur)) schedule();
    },
    onDelete: maybe,
  });
}

export async function startIngressController(opts: IngressControllerOptions): Promise<IngressController> {
  const log = opts.log ?? (() => {});
  const listeners = await startIngressListeners(opts);
  const informerLog = (m: string, f: Record<string, unknown>) => log(m, { component: 'ingress', ...f });
  const make = <T extends KubeObject>(resource: (typeof resources)[keyof typeof resources], fieldSelector?: string) =>
    new Informer<T>({ client: opts.client, resource, fieldSelector, log: informerLog });
  const ingresses = make<Ingress>(resources.ingresses);
  const classes = make<IngressClass>(resources.ingressclasses);
  const services = make<Service>(resources.services);
  const slices = make<EndpointSlice>(resources.endpointslices);
  const all = [ingresses, classes, services, slices];
  // TLS Secrets are read one by one by name, as the Node authorizer lets a node get those an Ingress of class
  // tutti names (a node may not list Secrets); re-read every `secretRefreshMs` so rotated certificates show up.
  const fetched = new Map<string, CertificatePem | null>();
  const fetching = new Set<string>();
  const fetchSecret = (key: string) => {
    if (fetching.has(key)) return;
    fetching.add(key);
    const [ns, name] = key.split('/') as [string, string];
    opts.client
      .get<Secret>(`/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(name)}`)
      .then((sec) => {
        const pem = sec.type === TLS_SECRET_TYPE ? certificateOf(sec) : undefined;
        if (!pem) log('ingress: TLS secret without tls.crt and tls.key', { level: 'warn', secret: key });
        fetched.set(key, pem ?? null);
      })
      .catch((err) => {
        log('ingress: TLS secret not readable, serving the default certificate', {
          level: 'warn',
          secret: key,
          error: String(err),
        });
        fetched.set(key, null);
      })
      .finally(() => {
        fetching.delete(key);
        schedule();
      });
  };

  const sync = () => {
    const table = buildRouteTable({
      ingresses: ingresses.list(),
      classes: classes.list(),
      services: services.list(),
      slices: slices.list(),
    });
    const wanted = new Set(table.tls.map((t) => t.secret));
    const certs = new Map<string, CertificatePem>();
    for (const k of wanted) {
      if (!fetched.has(k)) {
        fetchSecret(k);
        continue;
      }
      const pem = fetched.get(k);
      if (pem) certs.set(k, pem);
    }
    for (const k of fetched.keys()) if (!wanted.has(k)) fetched.delete(k);
    listeners.update(table, certs);
    opts.onSync?.(table);
  };

  const minPeriod = opts.minSyncPeriodMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let lastSync = 0;
  let stopped = false;
  const schedule = () => {
    if (timer || stopped) return;
    const wait = Math.max(0, lastSync + minPeriod - Date.now());
    timer = setTimeout(() => {
      timer = undefined;
      lastSync = Date.now();
      try {
        sync();
      } catch (err) {
        log('ingress: sync failed', { level: 'error', error: String(err) });
      }
    }, wait);
  };
  // Services, slices and Secrets that no served Ingress names change nothing: a busy cluster's endpoint churn
  // does not rebuild the table. (The names come from the Ingresses, so a Service created later still counts.)
  const tableHas = (ns: string | undefined, name: string | undefined) =>
    name !== undefined && listeners.table().services.has(`${ns ?? ''}/${name}`);
  onChange(ingresses, () => true, schedule);
  onChange(classes, () => true, schedule);
  onChange(services, (o) => tableHas(o.metadata.namespace, o.metadata.name), schedule);
  onChange(slices, (o) => tableHas(o.metadata.namespace, o.metadata.labels?.[SERVICE_NAME_LABEL]), schedule);
  const refresh = setInterval(() => {
    fetched.clear();
    schedule();
  }, opts.secretRefreshMs ?? 60_000);
  refresh.unref();
  for (const inf of all) inf.start();
  const stopInformers = () => {
    for (const inf of all) inf.stop();
  };
  const syncTimeout = new Promise<boolean>((r) => setTimeout(() => r(false), opts.syncTimeoutMs ?? 10_000).unref());
  const ok = await Promise.race([
    Promise.all(all.map((i) => i.waitForSync())).then((r) => r.every(Boolean)),
    syncTimeout,
  ]);
  if (!ok) log('ingress: caches not synced yet, serving what is known', { level: 'warn' });
  schedule();
  return {
    listeners,
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    synced: () => all.every((i) => i.hasSynced()),
    async stop() {
      stopped = true;
      clearInterval(refresh);
      if (timer) clearTimeout(timer);
      stopInformers();
      await listeners.stop();
    },
  };
}
