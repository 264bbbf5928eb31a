// The container runtime the node agent's pod workers drive. Shaped after CRI (a sandbox is a pod with its
// own network namespace and IP; containers run inside it) so the CRI and the process runtime can both
// implement it. Times are Dates (CRI sends Unix nanoseconds); counters that can pass 2^53 are bigint.

/** Metadata that names a pod sandbox; `attempt` grows each time the sandbox is recreated. */
export interface SandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

export interface DnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface SandboxConfig {
  metadata: SandboxMetadata;
  hostname?: string;
  /** Absolute directory under which container log paths are resolved. */
  logDirectory?: string;
  dns?: DnsConfig;
  portMappings?: PortMapping[];
  /** Labels are how a restarted agent finds what it started: keep pod identity here. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Cgroup (cgroupfs path, e.g. `/tutti/pod<uid>`) the pod's containers go under; needed for pod stats. */
  cgroupParent?: string;
  /** Share the node's network namespace (hostNetwork pods). */
  hostNetwork?: boolean;
  sysctls?: Record<string, string>;
  /** Runtime handler (RuntimeClass); empty for the default. */
  runtimeHandler?: string;
}

export type SandboxState = 'ready' | 'notready';

export interface SandboxSummary {
  id: string;
  metadata: SandboxMetadata;
  state: SandboxState;
  createdAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface SandboxStatus extends SandboxSummary {
  /** Pod IP; empty for host-network sandboxes or when networking failed. */
  ip: string;
  additionalIps: string[];
}

export interface SandboxFilter {
  id?: string;
  state?: SandboxState;
  labelSelector?: Record<string, string>;
}

/** Registry credentials for one pull (from an imagePullSecret). */
export interface ImageAuth {
  username?: string;
  password?: string;
  /** base64 of `user:password`, as in a docker config.json. */
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  sizeBytes: number;
  /** Numeric user the image runs as, when its config names one. */
  uid?: number;
  username?: string;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  propagation?: 'private' | 'host-to-container' | 'bidirectional';
}

export interface ContainerResources {
  /** CPU limit in millicores (-> CFS quota over a 100 ms period). */
  cpuLimitMillis?: number;
  /** CPU request in millicores (-> cpu shares). */
  cpuRequestMillis?: number;
  memoryLimitBytes?: number;
}

export interface ContainerConfig {
  name: string;
  attempt: number;
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  mounts?: Mount[];
  resources?: ContainerResources;
  /** Relative to the sandbox's logDirectory, e.g. `web/0.log`. */
  logPath?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readonlyRootfs?: boolean;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface ContainerSummary {
  id: string;
  sandboxId: string;
  name: string;
  attempt: number;
  image: string;
  imageRef: string;
  state: ContainerState;
  createdAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  name: string;
  attempt: number;
  state: ContainerState;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode: number;
  /** e.g. `Completed`, `Error`, `OOMKilled`. */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** Absolute path of the CRI-format log file, when one was configured. */
  logPath: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerFilter {
  id?: string;
  sandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export interface StreamRequest {
  containerId: string;
  cmd?: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface CpuUsage {
  timestamp: Date;
  /** Cumulative CPU time in nanoseconds. */
  usageCoreNanoSeconds?: bigint;
  /** Recent rate in nanocores, when the runtime computes one. */
  usageNanoCores?: bigint;
}

export interface MemoryUsage {
  timestamp: Date;
  workingSetBytes?: bigint;
  usageBytes?: bigint;
  rssBytes?: bigint;
}

export interface ContainerStats {
  id: string;
  name: string;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
}

export interface SandboxStats {
  id: string;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
  containers: ContainerStats[];
}

export interface RuntimeVersion {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

/** What pod workers need from a container runtime. All methods reject with RuntimeError on failure. */
export interface ContainerRuntime {
  version(): Promise<RuntimeVersion>;
  /** Conditions such as RuntimeReady and NetworkReady. */
  status(): Promise<RuntimeCondition[]>;

  runPodSandbox(config: SandboxConfig): Promise<{ id: string; ip: string }>;
  /** Stops every container in the sandbox and frees its network. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Idempotent: a missing sandbox is not an error. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<SandboxStatus>;
  listPodSandboxes(filter?: SandboxFilter): Promise<SandboxSummary[]>;

  pullImage(image: string, auth?: ImageAuth): Promise<{ imageRef: string }>;
  /** undefined when the image is not present. */
  imageStatus(image: string): Promise<ImageInfo | undefined>;
  listImages(): Promise<ImageInfo[]>;
  removeImage(image: string): Promise<void>;

  createContainer(sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after timeoutSeconds. Idempotent. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  containerStatus(id: string): Promise<ContainerStatus>;
  listContainers(filter?: ContainerFilter): Promise<ContainerSummary[]>;
  /** Makes the runtime write a fresh log file at the container's log path (after the agent renamed it). Absent
   * when the runtime cannot (the process runtime's shims keep their file open): its logs are not rotated. */
  reopenContainerLog?(id: string): Promise<void>;

  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult>;
  /** URLs on the runtime's streaming server (WebSocket, `v4.channel.k8s.io`). */
  exec(req: StreamRequest & { cmd: string[] }): Promise<string>;
  attach(req: StreamRequest): Promise<string>;
  portForward(sandboxId: string, ports: number[]): Promise<string>;

  containerStats(id: string): Promise<ContainerStats>;
  listContainerStats(filter?: { sandboxId?: string }): Promise<ContainerStats[]>;
  podSandboxStats(id: string): Promise<SandboxStats>;

  close(): void;
}

/** Why a runtime call failed; `notFound` lets callers treat removal and status of gone objects as done. */
export type RuntimeErrorKind = 'notFound' | 'unavailable' | 'deadlineExceeded' | 'unimplemented' | 'failed';

export class RuntimeError extends Error {
  constructor(
    readonly kind: RuntimeErrorKind,
    readonly operation: string,
    message: string,
  ) {
    super(`${operation}: ${message}`);
    this.name = 'RuntimeError';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof RuntimeError && err.kind === 'notFound';
}
