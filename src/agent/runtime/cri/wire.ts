// Shapes of the CRI messages as @grpc/proto-loader decodes them (keepCase, longs as String, enums as String,
// defaults on). Only the fields Tutti reads or writes are declared; see api.proto for the rest.

export type Labels = Record<string, string>;
/** int64/uint64 arrive as decimal strings (longs: String); we may send numbers or strings. */
export type Int64 = string;

export interface WireSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface WireNamespaceOption {
  network: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
  pid: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
  ipc: 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
}

export interface WirePodSandboxConfig {
  metadata: WireSandboxMetadata;
  hostname: string;
  log_directory: string;
  dns_config?: { servers: string[]; searches: string[]; options: string[] };
  port_mappings: { protocol: string; container_port: number; host_port: number; host_ip: string }[];
  labels: Labels;
  annotations: Labels;
  linux: {
    cgroup_parent: string;
    sysctls: Labels;
    security_context: { namespace_options: WireNamespaceOption };
  };
}

export type WireSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type WireContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface WirePodSandbox {
  id: string;
  metadata: WireSandboxMetadata | null;
  state: WireSandboxState;
  created_at: Int64;
  labels: Labels;
  annotations: Labels;
}

export interface WirePodSandboxStatus extends WirePodSandbox {
  network: { ip: string; additional_ips: { ip: string }[] } | null;
}

export interface WireMount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  propagation: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}

export interface WireContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command: string[];
  args: string[];
  working_dir: string;
  envs: { key: string; value: string }[];
  mounts: WireMount[];
  labels: Labels;
  annotations: Labels;
  log_path: string;
  stdin: boolean;
  stdin_once: boolean;
  tty: boolean;
  linux: {
    resources: {
      cpu_period: Int64;
      cpu_quota: Int64;
      cpu_shares: Int64;
      memory_limit_in_bytes: Int64;
    };
    security_context: {
      privileged: boolean;
      readonly_rootfs: boolean;
      run_as_user?: { value: Int64 };
      run_as_group?: { value: Int64 };
      namespace_options: WireNamespaceOption;
    };
  };
}

export interface WireContainer {
  id: string;
  pod_sandbox_id: string;
  metadata: { name: string; attempt: number } | null;
  image: { image: string } | null;
  image_ref: string;
  state: WireContainerState;
  created_at: Int64;
  labels: Labels;
  annotations: Labels;
}

export interface WireContainerStatus {
  id: string;
  metadata: { name: string; attempt: number } | null;
  state: WireContainerState;
  created_at: Int64;
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  image: { image: string } | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: Labels;
  annotations: Labels;
  log_path: string;
}

export interface WireImage {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: Int64;
  uid: { value: Int64 } | null;
  username: string;
}

type UInt64Value = { value: Int64 } | null;

export interface WireCpuUsage {
  timestamp: Int64;
  usage_core_nano_seconds: UInt64Value;
  usage_nano_cores: UInt64Value;
}

export interface WireMemoryUsage {
  timestamp: Int64;
  working_set_bytes: UInt64Value;
  usage_bytes: UInt64Value;
  rss_bytes: UInt64Value;
}

export interface WireContainerStats {
  attributes: { id: string; metadata: { name: string; attempt: number } | null } | null;
  cpu: WireCpuUsage | null;
  memory: WireMemoryUsage | null;
}

export interface WirePodSandboxStats {
  attributes: { id: string } | null;
  linux: { cpu: WireCpuUsage | null; memory: WireMemoryUsage | null; containers: WireContainerStats[] } | null;
}
