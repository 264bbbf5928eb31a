// `tutti server`: the control plane on embedded defaults (SQLite in the data dir, generated PKI), plus
// the controllers, the scheduler and a node agent as clients of its own API.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../agent/agent.js';
import { apiServiceIp } from '../apiserver/admission.js';
import { ApiServer, type ApiServerOptions, type UserInfo } from '../apiserver/server.js';
import { parse as parseYaml } from 'yaml';
import { ApiClient, Informer, resourcePath } from '../client/index.js';
import { parseCidr } from '../core/cidr.js';
import { isDNS1123Subdomain } from '../core/names.js';
import { resources } from '../core/resources.js';
import type { Node, Pod } from '../core/types.js';
import { agentResourceMetricsFetch, ApiServerPrometheus, concatMetrics, MetricsApiService } from '../metrics/index.js';
import { readProvidersFile } from '../autoscaler/index.js';
import { CONTROLLER_NAMES } from '../controllers/manager.js';
import { parseGoDuration } from '../controllers/podautoscaler/go-duration.js';
import { COMPONENT_USERS, ensureClusterPki, writeKubeconfig } from '../pki/index.js';
import { startAutoCompaction } from '../storage/auto-compaction.js';
import { openSqliteStore } from '../storage/sqlite/index.js';
import { publishClusterConfig } from './cluster-config.js';
import { encryptionConfigPath, setUpEncryption } from './encryption.js';
import { type AuditPolicy, validateAuditPolicy } from '../apiserver/audit/index.js';
import { KUBELET_CLIENT_USER, METRICS_SCRAPER_USER, PROMETHEUS_USER } from '../apiserver/authz/index.js';
import type { ComponentWorkerData } from './component-worker.js';
import { defaultDataDir } from './datadir.js';
import { ensureTuttiIngressClass } from '../network/ingress/index.js';
import { ensureKubeDnsService } from '../network/node.js';
import { NETWORK_FLAGS, networkConfig, networkHelp, podDnsSettings, startAgentNetwork } from './network.js';
import {
  type FlagSpec,
  type ParsedArgs,
  UsageError,
  boolFlag,
  noPositionals,
  numberFlag,
  parseFlags,
  stringFlag,
  wantsHelp,
} from './flags.js';
import { PODNET_FLAGS, PODNET_HELP, podNetConfig, podNetMasquerades, startAgentPodNetwork } from './podnet.js';
import { apiRateFlags, apiRateFromFlags, apiRateHelp } from './api-rate.js';
import { AGENT_AUTH_FLAGS, agentAuthFromFlags, agentAuthHelp } from './agent-auth-flags.js';

const HELP = `Usage: tutti server [flags]

  --port N                     HTTPS port of the API server (default 6443)
  --bind-address IP            address to listen on (default 0.0.0.0)
  --data-dir DIR               state, PKI and kubeconfig (default /var/lib/tutti as root, else ~/.tutti)
  --advertise-address IP       address other machines reach this server at (default: first non-loopback IPv4)
  --service-cidr CIDR          Service ClusterIP range (default 10.43.0.0/16)
  --default-toleration-seconds N  not-ready/unreachable toleration added to pods (default 300)
  --disable-agent              do not run a node agent in this process
  --agent-port N               HTTPS port of this node's agent endpoint (default 10250)
  --disable-scheduler          do not run the scheduler in this process
  --disable-controllers        do not run the controller manager in this process
  --controllers LIST           controllers to run, as kube-controller-manager's: '*' (default) for all, a name to
                               enable, '-name' to disable (e.g. csrsigning,csrapproving: only node certificates)
  --cluster-cidr CIDR          pod network, a /N per node (default 10.42.0.0/16: 256 nodes of /24). Nodes
                               beyond it get no pod CIDR: NetworkUnavailable, tainted, no pods. For more nodes:
                               a larger range (10.128.0.0/9: 32,768 nodes) or a smaller per-node one
  --node-cidr-mask-size N      prefix of each node's pod CIDR (default 24: 254 pods a node; 25 doubles the nodes
                               and halves the pods; at most 16 more than the cluster CIDR's prefix, at most 30)
  --node-monitor-grace-period S  seconds without a heartbeat before a node is Unknown (default 40)
  --compaction-interval S      seconds between store compactions (default 300)
  --metric-resolution S        seconds between scrapes of every agent's /metrics/resource for metrics.k8s.io
                               (kubectl top, HPA; default 15, as metrics-server)
  --secrets-encryption=false   store secrets in clear (default: encrypted with AES-GCM, key in DATA/cred)
  --encryption-provider-config F  an EncryptionConfiguration file (aesgcm, identity) instead of the default
  --audit-policy-file F        an audit.k8s.io/v1 Policy; with --audit-log-path F, API requests are logged
  --audit-log-maxsize MB       rotate the audit log at this size (default 100)
  --audit-log-maxbackup N      rotated audit logs to keep (default 10)
  --max-object-size-bytes N    largest object the API server stores (default 1572864, etcd's 1.5 MiB)
  --disable-servicelb          do not publish node addresses for LoadBalancer Services
  --default-local-storage-path DIR  where the local-path provisioner makes volumes on nodes
                               (default <data-dir>/agent/storage, the server's own node's data dir)
  --horizontal-pod-autoscaler-sync-period D          HPA sync period (Go duration or seconds, default 15s)
  --horizontal-pod-autoscaler-tolerance F            usage ratio change that triggers scaling (default 0.1)
  --horizontal-pod-autoscaler-downscale-stabilization D  look-back for scale-down recommendations (default 5m0s)
  --horizontal-pod-autoscaler-cpu-initialization-period D  CPU samples skipped after pod start (default 5m0s)
  --horizontal-pod-autoscaler-initial-readiness-delay D   readiness changes ignored after start (default 30s)
  --cluster-signing-duration D  longest validity of certificates the CSR signer issues (default 8760h0m0s)
  --autoscaler-config FILE     run the cluster autoscaler with the providers in FILE (YAML, \`providers:\`);
                               node groups: ConfigMap kube-system/tutti-node-groups (off without this flag)
  --scan-interval D            cluster autoscaler pass interval (default 10s)
  --expander NAME              cluster autoscaler expander: least-waste, random or priority (default least-waste)
${agentAuthHelp(29)}
${apiRateHelp(['controller-manager', 'scheduler', 'agent'], true)}
${networkHelp(31)}`;

export const FLAGS: FlagSpec = {
  port: 'number',
  'bind-address': 'string',
  'data-dir': 'string',
  'advertise-address': 'string',
  'service-cidr': 'string',
  'default-toleration-seconds': 'number',
  'disable-agent': 'boolean',
  'agent-port': 'number',
  'disable-scheduler': 'boolean',
  'disable-controllers': 'boolean',
  controllers: 'string',
  'cluster-cidr': 'string',
  'node-cidr-mask-size': 'number',
  'node-monitor-grace-period': 'number',
  'compaction-interval': 'number',
  'metric-resolution': 'number',
  'secrets-encryption': 'boolean',
  'encryption-provider-config': 'string',
  'audit-policy-file': 'string',
  'audit-log-path': 'string',
  'audit-log-maxsize': 'number',
  'audit-log-maxbackup': 'number',
  'max-object-size-bytes': 'number',
  'disable-servicelb': 'boolean',
  ...NETWORK_FLAGS,
  'default-local-storage-path': 'string',
  'horizontal-pod-autoscaler-sync-period': 'string',
  'horizontal-pod-autoscaler-tolerance': 'number',
  'horizontal-pod-autoscaler-downscale-stabilization': 'string',
  'horizontal-pod-autoscaler-cpu-initialization-period': 'string',
  'horizontal-pod-autoscaler-initial-readiness-delay': 'string',
  'cluster-signing-duration': 'string',
  'autoscaler-config': 'string',
  'scan-interval': 'string',
  expander: 'string',
  ...apiRateFlags(['controller-manager', 'scheduler', 'agent'], true),
  ...AGENT_AUTH_FLAGS,
};

/** `--audit-policy-file` and `--audit-log-path` together turn audit logging on, as upstream. */
function auditOptions(args: ParsedArgs): ApiServerOptions['audit'] {
  const policyFile = stringFlag(args, 'audit-policy-file');
  const path = stringFlag(args, 'audit-log-path');
  if (!policyFile && !path) return undefined;
  if (!policyFile || !path) throw new UsageError('--audit-policy-file and --audit-log-path go together');
  let policy: AuditPolicy;
  try {
    policy = validateAuditPolicy(parseYaml(readFileSync(policyFile, 'utf8')));
  } catch (err) {
    throw new UsageError(`audit policy ${policyFile}: ${(err as Error).message}`);
  }
  return {
    policy,
    path,
    maxSizeMB: numberFlag(args, 'audit-log-maxsize', 100),
    maxBackups: numberFlag(args, 'audit-log-maxbackup', 10),
  };
}

/** A duration flag as upstream's (Go duration such as `15s`, `1m30s`; a bare number is seconds), in ms. */
export function durationFlag(args: ParsedArgs, name: string): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : parseGoDuration(v);
  if (ms === undefined || ms < 0)
    throw new UsageError(`flag --${name} must be a duration such as 30s or 5m0s, got ${JSON.stringify(v)}`);
  return ms;
}

/** The controller manager's options from the command line (only plain data: it goes to a worker thread). */
/**
 * kube-controller-manager's --controllers: '*' turns on every controller, 'name' one, '-name' turns one off;
 * returns the names left off. Unknown names are a usage error.
 */
/** Who the join token is: a bootstrapper (upstream's bootstrap tokens are system:bootstrap:<token id>). */
export const JOIN_TOKEN_USER = 'system:bootstrap:node';

export function controllersDisabledBy(list: string): string[] {
  const items = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s);
  for (const item of items) {
    const name = item.replace(/^-/, '');
    if (name !== '*' && !CONTROLLER_NAMES.includes(name)) {
      throw new UsageError(`flag --controllers: unknown controller ${JSON.stringify(name)}`);
    }
  }
  const all = items.includes('*');
  return CONTROLLER_NAMES.filter((n) => items.includes(`-${n}`) || (!all && !items.includes(n)));
}

/** The node IPAM flags (upstream's --cluster-cidr and --node-cidr-mask-size, with their checks). */
function nodeIpamFromFlags(args: ParsedArgs): { clusterCidr: string; nodeMaskSize: number } {
  const clusterCidr = stringFlag(args, 'cluster-cidr', '10.42.0.0/16');
  let prefix: number;
  try {
    prefix = parseCidr(clusterCidr).bits;
  } catch {
    throw new UsageError(`flag --cluster-cidr must be an IPv4 CIDR, got ${JSON.stringify(clusterCidr)}`);
  }
  const nodeMaskSize = numberFlag(args, 'node-cidr-mask-size', 24);
  if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < prefix || nodeMaskSize > 30 || nodeMaskSize - prefix > 16) {
    throw new UsageError(
      `flag --node-cidr-mask-size must be an integer from the cluster CIDR's prefix (${prefix}) to ${Math.min(30, prefix + 16)}, got ${nodeMaskSize}`,
    );
  }
  return { clusterCidr, nodeMaskSize };
}

export function controllerOptionsFromFlags(args: ParsedArgs): NonNullable<ComponentWorkerData['controllerOptions']> {
  const hpa: NonNullable<ComponentWorkerData['controllerOptions']>['hpa'] = {};
  const syncPeriodMs = durationFlag(args, 'horizontal-pod-autoscaler-sync-period');
  if (syncPeriodMs !== undefined) {
    if (syncPeriodMs <= 0) throw new UsageError('flag --horizontal-pod-autoscaler-sync-period must be positive');
    hpa.syncPeriodMs = syncPeriodMs;
  }
  if (args.flags.has('horizontal-pod-autoscaler-tolerance')) {
    const tolerance = numberFlag(args, 'horizontal-pod-autoscaler-tolerance', 0.1);
    if (tolerance < 0) throw new UsageError('flag --horizontal-pod-autoscaler-tolerance must not be negative');
    hpa.tolerance = tolerance;
  }
  const downscale = durationFlag(args, 'horizontal-pod-autoscaler-downscale-stabilization');
  if (downscale !== undefined) hpa.downscaleStabilizationWindowMs = downscale;
  const cpuInit = durationFlag(args, 'horizontal-pod-autoscaler-cpu-initialization-period');
  if (cpuInit !== undefined) hpa.cpuInitializationPeriodMs = cpuInit;
  const readiness = durationFlag(args, 'horizontal-pod-autoscaler-initial-readiness-delay');
  if (readiness !== undefined) hpa.delayOfInitialReadinessStatusMs = readiness;
  const opts: NonNullable<ComponentWorkerData['controllerOptions']> = {
    nodeLifecycle: { gracePeriodMs: numberFlag(args, 'node-monitor-grace-period', 40) * 1000 },
    nodeIpam: nodeIpamFromFlags(args),
    hpa,
    // As k3s: under the data dir (its own node's, <data-dir>/agent), unless the flag says otherwise.
    volume: {
      localPath: {
        storageDir: stringFlag(
          args,
          'default-local-storage-path',
          join(stringFlag(args, 'data-dir', defaultDataDir()), 'agent', 'storage'),
        ),
      },
    },
  };
  const signingMs = durationFlag(args, 'cluster-signing-duration');
  if (signingMs !== undefined) {
    if (signingMs < 600_000) throw new UsageError('flag --cluster-signing-duration must be at least 10m0s');
    opts.csrSigning = { durationMs: signingMs };
  }
  const config = stringFlag(args, 'autoscaler-config');
  if (config !== undefined) {
    const providers = readProvidersFile(config);
    if (Object.keys(providers).length === 0) throw new UsageError(`--autoscaler-config ${config}: no providers`);
    const expander = stringFlag(args, 'expander');
    if (expander !== undefined && !['least-waste', 'random', 'priority'].includes(expander)) {
      throw new UsageError(`flag --expander must be least-waste, random or priority, got ${JSON.stringify(expander)}`);
    }
    opts.clusterAutoscaler = {
      providers,
      ...(durationFlag(args, 'scan-interval') !== undefined
        ? { scanIntervalMs: durationFlag(args, 'scan-interval') }
        : {}),
      ...(expander ? { expander: expander as 'least-waste' | 'random' | 'priority' } : {}),
    };
  } else if (args.flags.has('scan-interval') || args.flags.has('expander')) {
    throw new UsageError('--scan-interval and --expander need --autoscaler-config');
  }
  return opts;
}

export function firstIPv4(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

type ComponentStop = (() => Promise<void>) & { metrics?: () => Promise<string> };

/** Starts a component in a worker thread; resolves to its stop function (and metrics reader) once it has started. */
async function startComponentWorker(data: ComponentWorkerData): Promise<ComponentStop> {
  const worker = new Worker(new URL('./component-worker.js', import.meta.url), { workerData: data });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${data.component} worker exited with ${code}`)));
  });
  // The worker's Prometheus text, asked for over its message port (answered by id, 2 s at most).
  let nextId = 0;
  const metrics = () =>
    new Promise<string>((resolve) => {
      const id = ++nextId;
      const timer = setTimeout(() => done(''), 2000);
      const onMessage = (m: { type?: string; id?: number; text?: string }) => {
        if (m?.type === 'metrics' && m.id === id) done(m.text ?? '');
      };
      const done = (text: string) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(text);
      };
      worker.on('message', onMessage);
      worker.postMessage({ type: 'metrics', id });
    });
  const stop = async () => {
    const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const timeout = setTimeout(() => void worker.terminate(), 5000);
    await stopped;
    clearTimeout(timeout);
  };
  return Object.assign(stop, { metrics });
}

export interface RunningServer {
  api: ApiServer;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startServer(argv: string[]): Promise<RunningServer> {
  const args = parseFlags(argv, { ...FLAGS, ...PODNET_FLAGS });
  noPositionals(args);
  const podnetConfig = podNetConfig(
    args,
    stringFlag(args, 'cluster-cidr', '10.42.0.0/16'),
    stringFlag(args, 'service-cidr', '10.43.0.0/16'),
  );
  const dataDir = stringFlag(args, 'data-dir', defaultDataDir());
  // Flags are checked before anything starts: a bad one is a usage error, not a half-started server.
  const controllerOptions = controllerOptionsFromFlags(args);
  const disabledControllers = controllersDisabledBy(stringFlag(args, 'controllers', '*'));
  const rates = {
    controllerManager: apiRateFromFlags(args, 'controller-manager', true),
    scheduler: apiRateFromFlags(args, 'scheduler', true),
    agent: apiRateFromFlags(args, 'agent', true),
  };
  const agentEndpointAuth = agentAuthFromFlags(args);
  const port = numberFlag(args, 'port', 6443);
  const advertise = stringFlag(args, 'advertise-address', firstIPv4());
  const audit = auditOptions(args); // checked before anything starts
  const net = networkConfig(
    args,
    stringFlag(args, 'service-cidr', '10.43.0.0/16'),
    stringFlag(args, 'cluster-cidr', '10.42.0.0/16'),
  );
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The serving certificate names the `kubernetes` Service's ClusterIP too, as upstream's: in-cluster clients
  // dial https://$KUBERNETES_SERVICE_HOST (10.43.0.1) and verify it.
  const pki = await ensureClusterPki(dataDir, {
    hostnames: [hostname()],
    ips: [advertise, apiServiceIp(stringFlag(args, 'service-cidr', '10.43.0.0/16'))],
  });
  mkdirSync(join(dataDir, 'db'), { recursive: true });
  const sqlite = await openSqliteStore({ path: join(dataDir, 'db', 'state.db') });
  const encryption = await setUpEncryption(sqlite, encryptionConfigPath(args, dataDir), dataDir);
  const store = encryption.store;
  const stopCompaction = startAutoCompaction(store, {
    intervalMs: numberFlag(args, 'compaction-interval', 300) * 1000,
    retainRevisions: 10_000,
  });
  const tokens = new Map<string, UserInfo>([
    [pki.adminToken, { name: 'system:admin', groups: ['system:masters'] }],
    // The join token only bootstraps (as a kubeadm bootstrap token): it may ask for a kubelet client certificate
    // (group system:bootstrappers) and nothing else; each node then acts as system:node:<name> with its certificate.
    [pki.nodeToken, { name: JOIN_TOKEN_USER, groups: ['system:bootstrappers'] }],
    // The server's own components, each a least-privilege user bound by the bootstrap policy (not admin).
    ...Object.entries(pki.componentTokens).map(([component, token]): [string, UserInfo] => [
      token,
      { name: COMPONENT_USERS[component as keyof typeof COMPONENT_USERS], groups: [] },
    ]),
    // Identities towards the agents, which authorize them with SubjectAccessReviews (bootstrap-policy.ts binds them).
    [pki.kubeletClientToken, { name: KUBELET_CLIENT_USER, groups: [] }],
    [pki.metricsScraperToken, { name: METRICS_SCRAPER_USER, groups: [] }],
  ]);
  // A scrape token for Prometheus: only GET /metrics and the health endpoints (RBAC role system:monitoring), and
  // the agents' /metrics (nodes/metrics, nodes/stats: ClusterRole system:tutti:metrics-scraper).
  const metricsTokenPath = join(dataDir, 'metrics-token');
  const metricsToken = existsSync(metricsTokenPath)
    ? readFileSync(metricsTokenPath, 'utf8').trim()
    : randomBytes(24).toString('hex');
  writeFileSync(metricsTokenPath, `${metricsToken}\n`, { mode: 0o600 });
  tokens.set(metricsToken, { name: PROMETHEUS_USER, groups: ['system:monitoring'] });
  // metrics.k8s.io (metrics-server's job): a scraper of every agent's /metrics/resource with its own token (the
  // agents allow it nodes/metrics and nodes/stats), over a Node informer that starts with the server. Pods are
  // listed when a request asks (by namespace, label selector and name): metrics-server watches every pod, which
  // here, in the API server's own thread, cost a second decode of every pod write (~5% of that thread's time
  // while a 10,000-pod Deployment rolls out), against a LIST per `kubectl top pod` or HPA pass.
  let metricsNodes: Informer<Node> | undefined;
  let metricsClient: ApiClient | undefined;
  const metricsFetch = agentResourceMetricsFetch({ token: pki.metricsScraperToken });
  const metricsApi = new MetricsApiService({
    nodes: () => metricsNodes?.list() ?? [],
    pods: async (ns, selector, name) => {
      if (!metricsClient || selector?.matchesNothing()) return [];
      // A name no pod can have exists nowhere (and must not reach a field selector, where `a,b=c` would add terms).
      if (name !== undefined && isDNS1123Subdomain(name).length > 0) return [];
      const list = await metricsClient.list<Pod>(resourcePath(resources.pods, { namespace: ns }), {
        labelSelector: selector?.toString() || undefined,
        fieldSelector: name === undefined ? undefined : `metadata.name=${name}`,
        resourceVersion: '0',
      });
      return list.items;
    },
    fetch: metricsFetch,
    resolutionMs: numberFlag(args, 'metric-resolution', 15) * 1000,
  });
  // Prometheus /metrics of the API server: its own registry (requests, storage objects, watches, process)
  // followed by the scheduler's and the controller manager's, asked from their worker threads.
  const workerMetrics: (() => Promise<string>)[] = [];
  let apiForCounts: ApiServer | undefined;
  const apiMetrics = new ApiServerPrometheus({ storageObjects: () => apiForCounts!.storageObjectCounts() });
  const metricsSink = {
    request: apiMetrics.request.bind(apiMetrics),
    longRunningStarted: apiMetrics.longRunningStarted.bind(apiMetrics),
    metrics: () => concatMetrics(apiMetrics.metrics(), ...workerMetrics.map((m) => m())),
  };
  const api = new ApiServer({
    metrics: metricsSink,
    extraApis: [metricsApi],
    // pods/log, exec, attach, port-forward: proxied to the pod's node agent as kube-apiserver-kubelet-client.
    agentProxy: { agentToken: pki.kubeletClientToken },
    serviceAccountKeyPem: pki.serviceAccountKeyPem,
    audit,
    store,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, clientCa: pki.clientCaCertPem },
    tokens,
    port,
    host: stringFlag(args, 'bind-address', '0.0.0.0'),
    advertiseAddress: advertise,
    maxObjectBytes: numberFlag(args, 'max-object-size-bytes', 1.5 * 1024 * 1024),
    admission: {
      serviceCidr: stringFlag(args, 'service-cidr', '10.43.0.0/16'),
      defaultTolerationSeconds: numberFlag(args, 'default-toleration-seconds', 300),
      nodePortRange: net.nodePortRange,
    },
  });
  apiForCounts = api;
  await api.start();
  const kubeconfigPath = join(dataDir, 'kubeconfig.yaml');
  // Where k3s users look for it: agents join with `--token $(cat <data-dir>/node-token)`.
  writeFileSync(join(dataDir, 'node-token'), `${pki.nodeToken}\n`, { mode: 0o600 });
  // A bearer token still: with k3s's client certificate here (pki.adminCertPem/adminKeyPem), `kubectl --token=X`
  // on this kubeconfig would send both and be the admin (x509 authenticates first), which tests rely on not being.
  await writeKubeconfig(kubeconfigPath, {
    server: `https://127.0.0.1:${api.port}`,
    caPem: pki.caCertPem,
    token: pki.adminToken,
  });
  metricsClient = new ApiClient({
    server: `https://127.0.0.1:${api.port}`,
    caPem: pki.caCertPem,
    // metrics-server's identity: the scraper's towards agents, and Node/Pod reads here (system:tutti:metrics-server)
    token: pki.metricsScraperToken,
    userAgent: 'tutti-metrics-scraper',
  });
  metricsNodes = new Informer<Node>({ client: metricsClient, resource: resources.nodes });
  metricsNodes.start();
  metricsApi.start();
  const stopMetricsApi = async () => {
    await metricsApi.stop();
    metricsFetch.close();
    metricsNodes?.stop();
    metricsClient?.close();
  };
  // Control-plane components are clients of the API like any other: no in-process shortcuts.
  const identity = `${hostname()}_${process.pid}`;
  const stops: ComponentStop[] = [];
  const componentData = {
    server: `https://127.0.0.1:${api.port}`,
    caPem: pki.caCertPem,
    identity,
  };
  if (!boolFlag(args, 'disable-controllers')) {
    stops.push(
      await startComponentWorker({
        ...componentData,
        token: pki.componentTokens.controllerManager,
        component: 'controller-manager',
        apiRate: rates.controllerManager,
        controllerOptions: {
          ...controllerOptions,
          disable: [
            ...disabledControllers,
            ...(boolFlag(args, 'disable-servicelb') || net.disableServicelb ? ['servicelb'] : []),
            ...(net.disableIngress ? ['ingress'] : []),
          ],
          serviceAccount: { rootCaPem: pki.caCertPem, tokenKeyPem: pki.serviceAccountKeyPem },
          // The client CA's key reaches the signer only through the worker's data, never through the API.
          csrSigning: {
            ...controllerOptions.csrSigning,
            clientCa: { certPem: pki.clientCaCertPem, keyPem: pki.clientCaKeyPem },
          },
        },
      }),
    );
  }
  // The kube-dns Service at the cluster DNS address (nodes publish its endpoints, but may not create Services);
  // `--disable=dns` leaves it out, as k3s's `--disable coredns`. Created with the admin token: the API server's own
  // loopback client, as upstream's apiserver (system:apiserver, in system:masters) makes the `kubernetes` Service.
  if (!net.disableDns) {
    const admin = new ApiClient({ server: componentData.server, caPem: pki.caCertPem, token: pki.adminToken });
    await ensureKubeDnsService(admin, net.clusterDns).catch((err) =>
      console.error(JSON.stringify({ level: 'warn', msg: 'kube-dns Service not created', error: String(err) })),
    );
    admin.close();
  }
  // The settings every node must share with the server, for `tutti agent`s that join (kube-system/tutti-config).
  {
    const admin = new ApiClient({ server: componentData.server, caPem: pki.caCertPem, token: pki.adminToken });
    await publishClusterConfig(admin, {
      'service-cidr': net.serviceCidr,
      'cluster-cidr': net.clusterCidr,
      'cluster-dns': net.clusterDns,
      'cluster-domain': net.clusterDomain,
      'service-node-port-range': `${net.nodePortRange[0]}-${net.nodePortRange[1]}`,
    }).catch((err) =>
      console.error(JSON.stringify({ level: 'warn', msg: 'cluster settings not published', error: String(err) })),
    );
    admin.close();
  }
  // The built-in ingress controller's class (k3s ships Traefik's), the cluster's default; `--disable=ingress`
  // (or k3s's `--disable traefik`) leaves it out with the nodes' listeners and the status writer.
  if (!net.disableIngress) {
    const admin = new ApiClient({ server: componentData.server, caPem: pki.caCertPem, token: pki.adminToken });
    await ensureTuttiIngressClass(admin).catch((err) =>
      console.error(JSON.stringify({ level: 'warn', msg: 'IngressClass tutti not created', error: String(err) })),
    );
    admin.close();
  }
  if (!boolFlag(args, 'disable-agent')) {
    if (
      boolFlag(args, 'disable-controllers') ||
      disabledControllers.some((c) => c === 'csrsigning' || c === 'csrapproving')
    ) {
      console.error(
        JSON.stringify({
          level: 'warn',
          msg: "this server's node needs a certificate, but the CSR signer or approver is off: approve it by hand (kubectl certificate approve) or run them elsewhere",
        }),
      );
    }
    // The server's own node: an agent in this process, talking to the API over HTTPS like any other.
    const agent = await startAgent({
      server: `https://127.0.0.1:${api.port}`,
      token: pki.nodeToken,
      caPem: pki.caCertPem,
      dataDir: join(dataDir, 'agent'),
      nodeIP: advertise,
      cniIpMasq: !podNetMasquerades(podnetConfig),
      agentPort: numberFlag(args, 'agent-port', 10250),
      dns: podDnsSettings(net),
      apiRate: rates.agent,
      endpointAuth: agentEndpointAuth,
      // Its endpoint also takes client certificates of the cluster's client CA (CN/O), as the kubelet's --client-ca-file.
      clientCaPem: pki.clientCaCertPem,
    });
    const podnet = await startAgentPodNetwork(agent, agent.credential, podnetConfig, join(dataDir, 'agent'));
    stops.push(() => podnet.stop());
    stops.push(() => agent.stop());
    // kube-proxy and the cluster DNS of this node, beside its agent (stopped before it).
    const network = await startAgentNetwork(agent, net, join(dataDir, 'agent'));
    stops.push(() => network.stop());
  }
  if (!boolFlag(args, 'disable-scheduler')) {
    stops.push(
      await startComponentWorker({
        ...componentData,
        token: pki.componentTokens.scheduler,
        component: 'scheduler',
        apiRate: rates.scheduler,
      }),
    );
  }
  for (const s of stops) if ('metrics' in s && s.metrics) workerMetrics.push(s.metrics);
  return {
    api,
    kubeconfigPath,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await stopMetricsApi();
      await api.stop();
      stopCompaction();
      encryption.stop();
      await store.close();
    },
  };
}

export async function runServer(argv: string[]): Promise<number | undefined> {
  if (wantsHelp(argv)) {
    console.log(HELP + PODNET_HELP);
    return 0;
  }
  const started = Date.now();
  const s = await startServer(argv);
  console.log(
    JSON.stringify({
      msg: 'tutti server ready',
      url: s.api.url,
      kubeconfig: s.kubeconfigPath,
      startupMs: Date.now() - started,
    }),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await s.stop();
  return 0;
}
