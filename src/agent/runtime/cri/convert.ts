// Pure translations between Tutti's runtime types and CRI wire messages. No I/O, so tests run without a runtime.
import type {
  ContainerConfig,
  ContainerState,
  ContainerStats,
  ContainerStatus,
  ContainerSummary,
  CpuUsage,
  ImageAuth,
  ImageInfo,
  MemoryUsage,
  SandboxConfig,
  SandboxState,
  SandboxStats,
  SandboxStatus,
  SandboxSummary,
} from '../runtime.js';
import type {
  Int64,
  WireContainer,
  WireContainerConfig,
  WireContainerState,
  WireContainerStats,
  WireContainerStatus,
  WireCpuUsage,
  WireImage,
  WireMemoryUsage,
  WirePodSandbox,
  WirePodSandboxConfig,
  WirePodSandboxStats,
  WirePodSandboxStatus,
  WireSandboxState,
} from './wire.js';

/** The CFS period the kubelet uses; quota = millicores * period / 1000. */
export const CPU_PERIOD_US = 100_000;
const MIN_CPU_SHARES = 2;
const MIN_CPU_QUOTA_US = 1000;

export function nanosToDate(ns: Int64 | undefined): Date | undefined {
  if (!ns || ns === '0') return undefined;
  return new Date(Number(BigInt(ns) / 1_000_000n));
}

function nanosToDateOrEpoch(ns: Int64 | undefined): Date {
  return nanosToDate(ns) ?? new Date(0);
}

export function sandboxConfigToWire(c: SandboxConfig): WirePodSandboxConfig {
  const network = c.hostNetwork ? 'NODE' : 'POD';
  return {
    metadata: {
      name: c.metadata.name,
      uid: c.metadata.uid,
      namespace: c.metadata.namespace,
      attempt: c.metadata.attempt,
    },
    hostname: c.hostname ?? '',
    log_directory: c.logDirectory ?? '',
    dns_config: c.dns ? { servers: c.dns.servers, searches: c.dns.searches, options: c.dns.options } : undefined,
    port_mappings: (c.portMappings ?? []).map((p) => ({
      protocol: p.protocol,
      container_port: p.containerPort,
      host_port: p.hostPort ?? 0,
      host_ip: p.hostIp ?? '',
    })),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
    linux: {
      cgroup_parent: c.cgroupParent ?? '',
      sysctls: c.sysctls ?? {},
      security_context: { namespace_options: { network, pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
}

/** Millicores -> CFS quota/shares the way the kubelet computes them (zero means "no limit"). */
export function cpuToCgroup(limitMillis?: number, requestMillis?: number): { quota: number; shares: number } {
  let quota = 0;
  if (limitMillis && limitMillis > 0)
    quota = Math.max(MIN_CPU_QUOTA_US, Math.floor((limitMillis * CPU_PERIOD_US) / 1000));
  // Without a request the kubelet gives the minimum shares; with only a limit, request defaults to the limit.
  const request = requestMillis ?? limitMillis;
  const shares =
    request && request > 0 ? Math.max(MIN_CPU_SHARES, Math.floor((request * 1024) / 1000)) : MIN_CPU_SHARES;
  return { quota, shares };
}

const PROPAGATION = {
  private: 'PROPAGATION_PRIVATE',
  'host-to-container': 'PROPAGATION_HOST_TO_CONTAINER',
  bidirectional: 'PROPAGATION_BIDIRECTIONAL',
} as const;

export function containerConfigToWire(c: ContainerConfig, sandbox: SandboxConfig): WireContainerConfig {
  const cpu = cpuToCgroup(c.resources?.cpuLimitMillis, c.resources?.cpuRequestMillis);
  return {
    metadata: { name: c.name, attempt: c.attempt },
    image: { image: c.image },
    command: c.command ?? [],
    args: c.args ?? [],
    working_dir: c.workingDir ?? '',
    envs: Object.entries(c.env ?? {}).map(([key, value]) => ({ key, value })),
    mounts: (c.mounts ?? []).map((m) => ({
      container_path: m.containerPath,
      host_path: m.hostPath,
      readonly: m.readonly ?? false,
      propagation: PROPAGATION[m.propagation ?? 'private'],
    })),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
    log_path: c.logPath ?? '',
    stdin: c.stdin ?? false,
    stdin_once: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: {
        cpu_period: String(cpu.quota > 0 ? CPU_PERIOD_US : 0),
        cpu_quota: String(cpu.quota),
        cpu_shares: String(cpu.shares),
        memory_limit_in_bytes: String(c.resources?.memoryLimitBytes ?? 0),
      },
      security_context: {
        privileged: c.privileged ?? false,
        readonly_rootfs: c.readonlyRootfs ?? false,
        run_as_user: c.runAsUser === undefined ? undefined : { value: String(c.runAsUser) },
        run_as_group: c.runAsGroup === undefined ? undefined : { value: String(c.runAsGroup) },
        namespace_options: { network: sandbox.hostNetwork ? 'NODE' : 'POD', pid: 'CONTAINER', ipc: 'POD' },
      },
    },
  };
}

export function authToWire(a: ImageAuth): Record<string, string> {
  return {
    username: a.username ?? '',
    password: a.password ?? '',
    auth: a.auth ?? '',
    server_address: a.serverAddress ?? '',
    identity_token: a.identityToken ?? '',
    registry_token: a.registryToken ?? '',
  };
}

const SANDBOX_STATE: Record<WireSandboxState, SandboxState> = { SANDBOX_READY: 'ready', SANDBOX_NOTREADY: 'notready' };
export const SANDBOX_STATE_TO_WIRE: Record<SandboxState, WireSandboxState> = {
  ready: 'SANDBOX_READY',
  notready: 'SANDBOX_NOTREADY',
};

const CONTAINER_STATE: Record<WireContainerState, ContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};
export const CONTAINER_STATE_TO_WIRE: Record<ContainerState, WireContainerState> = {
  created: 'CONTAINER_CREATED',
  running: 'CONTAINER_RUNNING',
  exited: 'CONTAINER_EXITED',
  unknown: 'CONTAINER_UNKNOWN',
};

export function sandboxFromWire(s: WirePodSandbox): SandboxSummary {
  return {
    id: s.id,
    metadata: {
      name: s.metadata?.name ?? '',
      namespace: s.metadata?.namespace ?? '',
      uid: s.metadata?.uid ?? '',
      attempt: s.metadata?.attempt ?? 0,
    },
    state: SANDBOX_STATE[s.state] ?? 'notready',
    createdAt: nanosToDateOrEpoch(s.created_at),
    labels: s.labels ?? {},
    annotations: s.annotations ?? {},
  };
}

export function sandboxStatusFromWire(s: WirePodSandboxStatus): SandboxStatus {
  return {
    ...sandboxFromWire(s),
    ip: s.network?.ip ?? '',
    additionalIps: (s.network?.additional_ips ?? []).map((a) => a.ip),
  };
}

export function containerFromWire(c: WireContainer): ContainerSummary {
  return {
    id: c.id,
    sandboxId: c.pod_sandbox_id,
    name: c.metadata?.name ?? '',
    attempt: c.metadata?.attempt ?? 0,
    image: c.image?.image ?? '',
    imageRef: c.image_ref,
    state: CONTAINER_STATE[c.state] ?? 'unknown',
    createdAt: nanosToDateOrEpoch(c.created_at),
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
  };
}

export function containerStatusFromWire(c: WireContainerStatus): ContainerStatus {
  return {
    id: c.id,
    name: c.metadata?.name ?? '',
    attempt: c.metadata?.attempt ?? 0,
    state: CONTAINER_STATE[c.state] ?? 'unknown',
    createdAt: nanosToDateOrEpoch(c.created_at),
    startedAt: nanosToDate(c.started_at),
    finishedAt: nanosToDate(c.finished_at),
    exitCode: c.exit_code,
    reason: c.reason,
    message: c.message,
    image: c.image?.image ?? '',
    imageRef: c.image_ref,
    logPath: c.log_path,
    labels: c.labels ?? {},
    annotations: c.annotations ?? {},
  };
}

export function imageFromWire(i: WireImage): ImageInfo {
  const info: ImageInfo = {
    id: i.id,
    repoTags: i.repo_tags,
    repoDigests: i.repo_digests,
    sizeBytes: Number(i.size),
  };
  if (i.uid) info.uid = Number(i.uid.value);
  if (i.username) info.username = i.username;
  return info;
}

function u64(v: { value: Int64 } | null | undefined): bigint | undefined {
  return v ? BigInt(v.value) : undefined;
}

function cpuFromWire(c: WireCpuUsage | null): CpuUsage | undefined {
  if (!c) return undefined;
  return {
    timestamp: nanosToDateOrEpoch(c.timestamp),
    usageCoreNanoSeconds: u64(c.usage_core_nano_seconds),
    usageNanoCores: u64(c.usage_nano_cores),
  };
}

function memoryFromWire(m: WireMemoryUsage | null): MemoryUsage | undefined {
  if (!m) return undefined;
  return {
    timestamp: nanosToDateOrEpoch(m.timestamp),
    workingSetBytes: u64(m.working_set_bytes),
    usageBytes: u64(m.usage_bytes),
    rssBytes: u64(m.rss_bytes),
  };
}

export function containerStatsFromWire(s: WireContainerStats): ContainerStats {
  return {
    id: s.attributes?.id ?? '',
    name: s.attributes?.metadata?.name ?? '',
    cpu: cpuFromWire(s.cpu),
    memory: memoryFromWire(s.memory),
  };
}

export function sandboxStatsFromWire(s: WirePodSandboxStats): SandboxStats {
  return {
    id: s.attributes?.id ?? '',
    cpu: cpuFromWire(s.linux?.cpu ?? null),
    memory: memoryFromWire(s.linux?.memory ?? null),
    containers: (s.linux?.containers ?? []).map(containerStatsFromWire),
  };
}
