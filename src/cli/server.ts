// `tutti server`: the control plane on embedded defaults (SQLite in the data dir, generated PKI), plus
// the controllers, the scheduler and a node agent as clients of its own API.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { startAgent } from '../agent/agent.js';
import { ApiServer, type UserInfo } from '../apiserver/server.js';
import { readProvidersFile } from '../autoscaler/index.js';
import { parseGoDuration } from '../controllers/podautoscaler/go-duration.js';
import { ensureClusterPki, writeKubeconfig } from '../pki/index.js';
import { startAutoCompaction } from '../storage/auto-compaction.js';
import { openSqliteStore } from '../storage/sqlite/index.js';
import type { ComponentWorkerData } from './component-worker.js';
import { defaultDataDir } from './datadir.js';
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
  --cluster-cidr CIDR          pod network, a /24 per node (default 10.42.0.0/16)
  --node-monitor-grace-period S  seconds without a heartbeat before a node is Unknown (default 40)
  --compaction-interval S      seconds between store compactions (default 300)
  --default-local-storage-path DIR  where the local-path provisioner makes volumes on nodes
                               (default /var/lib/tutti/agent/storage)
  --horizontal-pod-autoscaler-sync-period D          HPA sync period (Go duration or seconds, default 15s)
  --horizontal-pod-autoscaler-tolerance F            usage ratio change that triggers scaling (default 0.1)
  --horizontal-pod-autoscaler-downscale-stabilization D  look-back for scale-down recommendations (default 5m0s)
  --horizontal-pod-autoscaler-cpu-initialization-period D  CPU samples skipped after pod start (default 5m0s)
  --horizontal-pod-autoscaler-initial-readiness-delay D   readiness changes ignored after start (default 30s)
  --autoscaler-config FILE     run the cluster autoscaler with the providers in FILE (YAML, \`providers:\`);
                               node groups: ConfigMap kube-system/tutti-node-groups (off without this flag)
  --scan-interval D            cluster autoscaler pass interval (default 10s)
  --expander NAME              cluster autoscaler expander: least-waste, random or priority (default least-waste)
`;

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
  'cluster-cidr': 'string',
  'node-monitor-grace-period': 'number',
  'compaction-interval': 'number',
  'default-local-storage-path': 'string',
  'horizontal-pod-autoscaler-sync-period': 'string',
  'horizontal-pod-autoscaler-tolerance': 'number',
  'horizontal-pod-autoscaler-downscale-stabilization': 'string',
  'horizontal-pod-autoscaler-cpu-initialization-period': 'string',
  'horizontal-pod-autoscaler-initial-readiness-delay': 'string',
  'autoscaler-config': 'string',
  'scan-interval': 'string',
  expander: 'string',
};

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
    nodeIpam: { clusterCidr: stringFlag(args, 'cluster-cidr', '10.42.0.0/16') },
    hpa,
    // Unset: the volume controller's default, /var/lib/tutti/agent/storage.
    volume: { localPath: { storageDir: stringFlag(args, 'default-local-storage-path') } },
  };
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

/** Starts a component in a worker thread; resolves to its stop function once it has started. */
async function startComponentWorker(data: ComponentWorkerData): Promise<() => Promise<void>> {
  const worker = new Worker(new URL('./component-worker.js', import.meta.url), { workerData: data });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${data.component} worker exited with ${code}`)));
  });
  return async () => {
    const stopped = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const timeout = setTimeout(() => void worker.terminate(), 5000);
    await stopped;
    clearTimeout(timeout);
  };
}

export interface RunningServer {
  api: ApiServer;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startServer(argv: string[]): Promise<RunningServer> {
  const args = parseFlags(argv, FLAGS);
  noPositionals(args);
  const dataDir = stringFlag(args, 'data-dir', defaultDataDir());
  // Flags are checked before anything starts: a bad one is a usage error, not a half-started server.
  const controllerOptions = controllerOptionsFromFlags(args);
  const port = numberFlag(args, 'port', 6443);
  const advertise = stringFlag(args, 'advertise-address', firstIPv4());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ensureClusterPki(dataDir, { hostnames: [hostname()], ips: [advertise] });
  mkdirSync(join(dataDir, 'db'), { recursive: true });
  const store = await openSqliteStore({ path: join(dataDir, 'db', 'state.db') });
  const stopCompaction = startAutoCompaction(store, {
    intervalMs: numberFlag(args, 'compaction-interval', 300) * 1000,
    retainRevisions: 10_000,
  });
  const tokens = new Map<string, UserInfo>([
    [pki.adminToken, { name: 'system:admin', groups: ['system:masters'] }],
    [pki.nodeToken, { name: 'system:node', groups: ['system:nodes'] }],
  ]);
  const api = new ApiServer({
    // pods/log, exec, attach, port-forward: proxied to the pod's node agent, which accepts the join token.
    agentProxy: { agentToken: pki.nodeToken },
    store,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
    tokens,
    port,
    host: stringFlag(args, 'bind-address', '0.0.0.0'),
    advertiseAddress: advertise,
    admission: {
      serviceCidr: stringFlag(args, 'service-cidr', '10.43.0.0/16'),
      defaultTolerationSeconds: numberFlag(args, 'default-toleration-seconds', 300),
    },
  });
  await api.start();
  const kubeconfigPath = join(dataDir, 'kubeconfig.yaml');
  // Where k3s users look for it: agents join with `--token $(cat <data-dir>/node-token)`.
  writeFileSync(join(dataDir, 'node-token'), `${pki.nodeToken}\n`, { mode: 0o600 });
  await writeKubeconfig(kubeconfigPath, {
    server: `https://127.0.0.1:${api.port}`,
    caPem: pki.caCertPem,
    token: pki.adminToken,
  });
  // Control-plane components are clients of the API like any other: no in-process shortcuts.
  const identity = `${hostname()}_${process.pid}`;
  const stops: (() => Promise<void>)[] = [];
  const componentData = {
    server: `https://127.0.0.1:${api.port}`,
    caPem: pki.caCertPem,
    token: pki.adminToken,
    identity,
  };
  if (!boolFlag(args, 'disable-controllers')) {
    stops.push(
      await startComponentWorker({
        ...componentData,
        component: 'controller-manager',
        controllerOptions,
      }),
    );
  }
  if (!boolFlag(args, 'disable-agent')) {
    // The server's own node: an agent in this process, talking to the API over HTTPS like any other.
    const agent = await startAgent({
      server: `https://127.0.0.1:${api.port}`,
      token: pki.nodeToken,
      caPem: pki.caCertPem,
      dataDir: join(dataDir, 'agent'),
      nodeIP: advertise,
      agentPort: numberFlag(args, 'agent-port', 10250),
    });
    stops.push(() => agent.stop());
  }
  if (!boolFlag(args, 'disable-scheduler')) {
    stops.push(await startComponentWorker({ ...componentData, component: 'scheduler' }));
  }
  return {
    api,
    kubeconfigPath,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await api.stop();
      stopCompaction();
      await store.close();
    },
  };
}

export async function runServer(argv: string[]): Promise<number | undefined> {
  if (wantsHelp(argv)) {
    console.log(HELP);
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
