// startAgent: joins this machine to a Tutti server as a node. Data flow:
//   fetchTrustedCa(token) -> node client certificate (NodeCredential: <dataDir>/tls/node.crt, or a CSR made with the
//   join token) -> ApiClient with it -> register Node (NotReady) -> wait spec.podCIDR (or fall back)
//   -> start containerd with that CIDR (or use an endpoint, or the process runtime) -> base images
//   -> Node Ready, Lease every 10 s, status every 10 s -> PodManager (informer on spec.nodeName=<me>,
//   one PodWorker per pod, runtime relist every second).
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type ApiClient, type DelegatedAuthOptions, delegatedAuth, EventRecorder } from '../client/index.js';
import { AGENT_CA_ANNOTATION } from '../core/well-known.js';
import { fetchTrustedCa } from '../pki/index.js';
import { readAgentRecord, writeAgentRecord } from './host/agent-record.js';
import { podCidrConflict } from './host/cidr-overlap.js';
import { bridgeAddresses } from './host/links.js';
import { bridgeNameFor, cgroupRootFor } from './host/names.js';
import { NodeCredential } from './node/node-credential.js';
import { firstIPv4, measureNode } from './node/node-facts.js';
import { NodeReporter } from './node/node-reporter.js';
import { ProcessRuntime } from './process/process-runtime.js';
import { podCgroupParent } from './pods/cgroups.js';
import { ContainerLogRotator } from './pods/log-rotation.js';
import { runtimeLocator } from './pods/locator.js';
import { PodManager, type PodDnsSettings } from './pods/pod-manager.js';
import { startAgentServer, type AgentServer } from './server/agent-server.js';
import { ResourceStatsCollector } from './stats/resource-stats.js';
import { KubeletPrometheus, PROMETHEUS_TEXT_TYPE, RESOURCE_METRICS_PATH } from '../metrics/index.js';
import type { Log } from './pods/pod-worker.js';
import { chooseRuntime, type RuntimeKind } from './runtime-choice.js';
import {
  type ContainerRuntime,
  CriRuntime,
  ensureBaseImages,
  processStartTicks,
  type RunningContainerd,
  startContainerd,
} from './runtime/index.js';

export interface AgentOptions {
  /** https URL of the API server. */
  server: string;
  /**
   * Join token (`K10<ca hash>::server:<secret>`): pins the CA and asks for the node's client certificate (a
   * bootstrapper's credential); everything else uses that certificate. The agent endpoint still accepts it.
   */
  token: string;
  /** How long to wait for the node certificate's CSR to be approved and signed (default 5 minutes). */
  certificateTimeoutMs?: number;
  nodeName?: string;
  dataDir: string;
  /** Use this CRI endpoint instead of starting a private containerd. */
  containerRuntimeEndpoint?: string;
  runtime?: RuntimeKind;
  /** Trusted CA (skips the /cacerts download, e.g. for an agent inside the server process). */
  caPem?: string;
  /** Node IP; default the first non-loopback IPv4. */
  nodeIP?: string;
  /** Linux bridge of the pod network (default `tutti0` for the default data dir, else one derived from it). */
  bridgeName?: string;
  /**
   * The private containerd's CNI bridge masquerades pod traffic that leaves the node's pod CIDR (default true).
   * False when the pod network beside the agent masquerades pod → outside itself (src/cli/podnet.ts), so pods
   * on other nodes see a pod's own address.
   */
  cniIpMasq?: boolean;
  /** Use this pod CIDR instead of waiting for spec.podCIDR. */
  podCidr?: string;
  podCidrWaitMs?: number;
  /** Top-level cgroup for pod cgroups (`/<root>/pod<uid>`; default `tutti`, or one derived from the data dir). */
  cgroupRoot?: string;
  /** Where base image archives are cached (default <dataDir>/images). */
  imageCacheDir?: string;
  leaseIntervalMs?: number;
  statusIntervalMs?: number;
  /** Client-side rate limit of the agent's API client (the kubelet's `--kube-api-qps` / `--kube-api-burst`). */
  apiRate?: { qps: number; burst: number };
  /** Port of the agent's HTTPS endpoint for logs/exec/port-forward (default 10250; 0 picks a free one). */
  agentPort?: number;
  /**
   * Cache TTLs of the endpoint's TokenReviews and SubjectAccessReviews (the kubelet's webhook cache flags;
   * defaults 2 min, 5 min allowed, 30 s denied).
   */
  endpointAuth?: DelegatedAuthOptions;
  /** Client certificates this CA issued authenticate at the endpoint too (CN/O; the kubelet's --client-ca-file). */
  clientCaPem?: string;
  /** Rotate a container's log when it grows past this (default 10 MiB). */
  containerLogMaxSizeBytes?: number;
  /** Log files kept per container, the live one included (default 5). */
  containerLogMaxFiles?: number;
  /** How often log sizes are checked (default 10 s). */
  containerLogCheckIntervalMs?: number;
  /**
   * How often running pods' configMap/secret/downwardAPI/projected volumes are rewritten from the API (upstream's
   * sync frequency; default 60 s). subPath mounts of them keep the version they started with.
   */
  volumeRefreshIntervalMs?: number;
  /** Registries the private containerd reaches over plain HTTP (default `localhost:5000`). */
  insecureRegistries?: string[];
  /** Pods' resolv.conf per dnsPolicy (cluster DNS address, domain, the node's resolv.conf). */
  dns?: PodDnsSettings;
  log?: Log;
}

// Only for cli/server.ts until it reads the annotation from core/well-known.ts (its import is being removed).
export { AGENT_CA_ANNOTATION };

export interface RunningAgent {
  nodeName: string;
  runtimeKind: 'cri' | 'process';
  runtime: ContainerRuntime;
  podCidr: string;
  /** The pod bridge and pod cgroup root this agent uses (recorded in <dataDir>/agent.json for killall). */
  bridgeName: string;
  cgroupRoot: string;
  pods: PodManager;
  /** The node's address (its InternalIP) and the agent's API client (closed by stop()). */
  nodeIP: string;
  client: ApiClient;
  /** The node's client certificate (renewed in the background); `credential.client()` makes more clients with it. */
  credential: NodeCredential;
  /** Stops the agent; containers keep running (a restarted agent adopts them). containerd is stopped too. */
  stop(): Promise<void>;
}

const defaultLog: Log = (message, fields) =>
  console.error(JSON.stringify({ level: 'info', component: 'agent', message, ...fields }));

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const log = opts.log ?? defaultLog;
  const nodeName = (opts.nodeName ?? hostname()).toLowerCase();
  const bridgeName = opts.bridgeName ?? bridgeNameFor(opts.dataDir);
  const cgroupRoot = opts.cgroupRoot ?? cgroupRootFor(opts.dataDir);
  const hostIP = opts.nodeIP ?? firstIPv4();
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const caPem = opts.caPem ?? (await fetchTrustedCa(opts.server, opts.token));
  const credential = await NodeCredential.obtain({
    server: opts.server,
    caPem,
    bootstrapToken: opts.token,
    nodeName,
    dataDir: opts.dataDir,
    timeoutMs: opts.certificateTimeoutMs,
    log,
  });
  credential.start();
  const client = credential.client({ userAgent: `tutti-agent/${nodeName}`, ...opts.apiRate });
  const choice = chooseRuntime(opts.runtime ?? 'auto', opts.containerRuntimeEndpoint);
  log('runtime chosen', { node: nodeName, runtime: choice.kind, why: choice.why });

  let runtime: ContainerRuntime | undefined;
  let containerd: RunningContainerd | undefined;
  let runtimeInfo: { version: string; ready: boolean; message?: string } = {
    version: '',
    ready: false,
    message: 'container runtime is starting',
  };
  // The endpoint the API server proxies logs/exec/port-forward to: callers are authenticated with a TokenReview
  // and authorized with a SubjectAccessReview on nodes/<subresource> of this node, through this agent's client.
  let endpoint: AgentServer | undefined;
  const rtNow = () => {
    if (!runtime) throw new Error('container runtime is not ready');
    return runtime;
  };
  // /metrics/resource and /stats/summary: CRI stats of the running containers and the node's /proc usage.
  const stats = new ResourceStatsCollector({ nodeName, runtime: () => runtime, nodeStartTimeMs: Date.now() });
  // Prometheus /metrics (kubelet_running_pods, kubelet_pod_start_duration_seconds, process metrics).
  const kubeletMetrics = new KubeletPrometheus({
    runningPods: async () =>
      runtime ? (await runtime.listPodSandboxes().catch(() => [])).filter((s) => s.state === 'ready').length : 0,
  });
  endpoint = await startAgentServer({
    documents: {
      '/metrics': async () => ({ contentType: PROMETHEUS_TEXT_TYPE, body: await kubeletMetrics.metrics() }),
      [RESOURCE_METRICS_PATH]: async () => ({ contentType: PROMETHEUS_TEXT_TYPE, body: await stats.resourceMetrics() }),
      '/stats/summary': async () => ({ contentType: 'application/json', body: JSON.stringify(await stats.summary()) }),
    },
    runtime: {
      exec: (r) => rtNow().exec(r),
      attach: (r) => rtNow().attach(r),
      portForward: (id, ports) => rtNow().portForward(id, ports),
      containerStatus: (id) => rtNow().containerStatus(id),
    },
    locator: runtimeLocator(() => runtime),
    auth: delegatedAuth(client, opts.endpointAuth),
    clientCaPem: opts.clientCaPem,
    port: opts.agentPort ?? 10250,
    nodeName,
    addresses: [hostIP],
    log: (msg, fields) => log(msg, { node: nodeName, ...fields }),
  });
  const agentPort = endpoint.port;
  const reporter = new NodeReporter({
    client,
    name: nodeName,
    facts: async () => measureNode(nodeName, hostIP, opts.dataDir, runtimeInfo, agentPort),
    annotations: endpoint.caPem ? { [AGENT_CA_ANNOTATION]: Buffer.from(endpoint.caPem).toString('base64') } : {},
    log,
    leaseIntervalMs: opts.leaseIntervalMs,
    statusIntervalMs: opts.statusIntervalMs,
  });
  let stopRecord = () => {};
  const cleanup = async () => {
    reporter.stop();
    await endpoint?.stop();
    endpoint = undefined;
    runtime?.close();
    await containerd?.stop();
    client.close();
    credential.stop();
    stopRecord();
  };
  try {
    await reporter.register();
    reporter.start();
    let podCidr = opts.podCidr ?? '';
    if (choice.kind === 'cri' && !opts.containerRuntimeEndpoint && !podCidr) {
      const r = await reporter.waitForPodCidr(opts.podCidrWaitMs ?? 5_000);
      podCidr = r.cidr;
      log('pod CIDR', { node: nodeName, cidr: podCidr, assignedByController: r.assigned });
    }
    const record = {
      pid: process.pid,
      startTicks: processStartTicks(process.pid),
      nodeName,
      runtime: choice.kind,
      bridgeName: choice.kind === 'cri' && !opts.containerRuntimeEndpoint ? bridgeName : undefined,
      podCidr: podCidr || undefined,
      cgroupRoot: choice.kind === 'cri' ? cgroupRoot : undefined,
      // Host tables other components recorded for this node stay known to killall.
      nftTables: readAgentRecord(opts.dataDir)?.nftTables,
    };
    writeAgentRecord(opts.dataDir, record);
    stopRecord = () => writeAgentRecord(opts.dataDir, { ...record, pid: undefined, startTicks: undefined });
    if (choice.kind === 'process') {
      runtime = new ProcessRuntime({ root: join(opts.dataDir, 'process-runtime'), log });
    } else {
      let endpoint = opts.containerRuntimeEndpoint;
      if (!endpoint) {
        // Two pod networks with overlapping addresses on one machine would hand out the same pod IPs twice.
        const conflict = podCidrConflict(podCidr, bridgeName, bridgeAddresses());
        if (conflict) {
          throw new Error(
            `pod CIDR ${podCidr} of node ${nodeName} overlaps ${conflict.cidr} on bridge ${conflict.bridge}, ` +
              'another pod network on this machine (another Tutti agent?): pods would get the same IPs. Give ' +
              "this node a pod CIDR of its own (the server's --cluster-cidr, or --pod-cidr), or stop the other " +
              'agent for good (tutti killall --data-dir <its data dir>)',
          );
        }
        containerd = await startContainerd({
          dataDir: join(opts.dataDir, 'containerd'),
          podCidr,
          bridgeName,
          cniIpMasq: opts.cniIpMasq,
          insecureRegistries: opts.insecureRegistries,
          log: (message, fields) => log(message, { node: nodeName, ...fields }),
        });
        endpoint = containerd.endpoint;
        await ensureBaseImages(endpoint, opts.imageCacheDir ?? join(opts.dataDir, 'images'));
      }
      runtime = new CriRuntime(endpoint);
    }
    const v = await runtime.version();
    const rt = runtime;
    const refreshRuntime = async () => {
      const conds = await rt.status().catch(() => []);
      const bad = conds.find((c) => (c.type === 'RuntimeReady' || c.type === 'NetworkReady') && !c.status);
      runtimeInfo = {
        version: `${v.runtimeName}://${v.runtimeVersion}`,
        ready: !bad && conds.length > 0,
        message: bad ? `${bad.type}=false reason:${bad.reason} message:${bad.message}` : undefined,
      };
    };
    await refreshRuntime();
    await reporter.updateStatus();
    const runtimeTimer = setInterval(() => void refreshRuntime(), 10_000);

    const machine = measureNode(nodeName, hostIP, opts.dataDir, runtimeInfo, agentPort);
    const pods = new PodManager({
      client,
      runtime,
      runtimeName: choice.kind === 'process' ? 'process' : v.runtimeName,
      events: new EventRecorder({ client, component: 'kubelet', host: nodeName, log }),
      nodeName,
      podsDir: join(opts.dataDir, 'pods'),
      cgroupParent: choice.kind === 'cri' ? (uid) => podCgroupParent(cgroupRoot, uid) : () => undefined,
      volumeRefreshMs: opts.volumeRefreshIntervalMs,
      onPodStarted: (seconds) => kubeletMetrics.podStarted(seconds),
      dns: opts.dns,
      facts: () => ({
        hostIP,
        podIP: '',
        allocatableCpuMillis: machine.cpuCores * 1000,
        allocatableMemoryBytes: machine.memoryBytes,
      }),
      log,
    });
    await pods.start();
    const logRotator = new ContainerLogRotator({
      runtime,
      maxSizeBytes: opts.containerLogMaxSizeBytes,
      maxFiles: opts.containerLogMaxFiles,
      intervalMs: opts.containerLogCheckIntervalMs,
      log,
    });
    logRotator.start();
    log('agent ready', { node: nodeName, runtime: choice.kind, podCidr });
    return {
      nodeName,
      runtimeKind: choice.kind,
      runtime,
      podCidr,
      bridgeName,
      cgroupRoot,
      pods,
      nodeIP: hostIP,
      client,
      credential,
      async stop() {
        clearInterval(runtimeTimer);
        await logRotator.stop();
        await pods.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
