// The Node object the agent registers and the status it reports, as pure functions of measured facts.
// Condition lastTransitionTime only moves when a condition's status changes.
import { rfc3339 } from '../../core/time.js';
import type { Node, NodeCondition, NodeStatus } from '../../core/types.js';
import { LABEL_ARCH, LABEL_HOSTNAME, LABEL_OS } from '../../core/well-known.js';

export const KUBELET_VERSION = 'v1.32.4-tutti';
export const MAX_PODS = 110;

export interface NodeFacts {
  name: string;
  hostIP: string;
  hostname: string;
  cpuCores: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  operatingSystem: string;
  containerRuntimeVersion: string;
  ready: boolean;
  /** Why the node is not ready (e.g. the runtime's NetworkReady condition is false). */
  notReadyMessage?: string;
  memoryPressure: boolean;
  diskPressure: boolean;
  pidPressure: boolean;
  /** Port of the agent's HTTPS endpoint (logs, exec, port-forward), published as the kubelet endpoint. */
  agentPort?: number;
}

/** Kubernetes arch names from Node's process.arch. */
export function goArch(arch: string): string {
  return (
    (
      { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<
        string,
        string
      >
    )[arch] ?? arch
  );
}

/** System reservations are left out: allocatable equals capacity, as a kubelet with no reservations has it. */
function resources(f: NodeFacts): Record<string, string> {
  return {
    cpu: String(f.cpuCores),
    memory: `${Math.floor(f.memoryBytes / 1024)}Ki`,
    pods: String(MAX_PODS),
    'ephemeral-storage': `${Math.floor(f.ephemeralStorageBytes / 1024)}Ki`,
  };
}

function cond(
  type: string,
  ok: boolean,
  reasons: [string, string, string, string],
  now: string,
  previous: NodeCondition[] | undefined,
): NodeCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const [trueReason, trueMessage, falseReason, falseMessage] = reasons;
  return {
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    reason: ok ? trueReason : falseReason,
    message: ok ? trueMessage : falseMessage,
  };
}

export function nodeStatus(f: NodeFacts, nowMs: number, previous?: NodeStatus): NodeStatus {
  const now = rfc3339(nowMs);
  const prev = previous?.conditions;
  return {
    capacity: resources(f),
    allocatable: resources(f),
    conditions: [
      cond(
        'MemoryPressure',
        f.memoryPressure,
        [
          'KubeletHasInsufficientMemory',
          'kubelet has insufficient memory available',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ],
        now,
        prev,
      ),
      cond(
        'DiskPressure',
        f.diskPressure,
        [
          'KubeletHasDiskPressure',
          'kubelet has disk pressure',
          'KubeletHasNoDiskPressure',
          'kubelet has no disk pressure',
        ],
        now,
        prev,
      ),
      cond(
        'PIDPressure',
        f.pidPressure,
        [
          'KubeletHasInsufficientPID',
          'kubelet has insufficient PID available',
          'KubeletHasSufficientPID',
          'kubelet has sufficient PID available',
        ],
        now,
        prev,
      ),
      cond(
        'Ready',
        f.ready,
        [
          'KubeletReady',
          'kubelet is posting ready status',
          'KubeletNotReady',
          f.notReadyMessage ?? 'container runtime is not ready',
        ],
        now,
        prev,
      ),
    ],
    addresses: [
      { type: 'InternalIP', address: f.hostIP },
      { type: 'Hostname', address: f.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: f.agentPort ?? 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion: f.containerRuntimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: f.operatingSystem,
      architecture: f.architecture,
    },
  };
}

export function nodeObject(f: NodeFacts, nowMs: number, labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: {
        [LABEL_HOSTNAME]: f.name,
        [LABEL_OS]: f.operatingSystem,
        [LABEL_ARCH]: f.architecture,
        'beta.kubernetes.io/os': f.operatingSystem,
        'beta.kubernetes.io/arch': f.architecture,
        ...labels,
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
    status: nodeStatus(f, nowMs),
  };
}

/** A /24 inside 10.42.0.0/16 from the node's index, used when no controller assigns spec.podCIDR in time. */
export function fallbackPodCidr(index: number): string {
  return `10.42.${Math.max(0, index) % 256}.0/24`;
}
