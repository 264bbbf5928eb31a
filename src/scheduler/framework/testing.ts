// Builders for plain Node and Pod objects in tests and benchmarks.

import type { Node, Pod, PodSpec, Taint } from '../../core/types.js';

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { unschedulable: o.unschedulable, taints: o.taints },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...o.extra },
    },
  };
}

export interface PodOptions extends Omit<PodSpec, 'containers'> {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  namespace?: string;
  owner?: string;
  hostPort?: number;
  requests?: Record<string, string>;
  creationTimestamp?: string;
}

/** A built pod always has a spec, so tests can spread it (`{ ...p.spec, nodeName }`). */
export type TestPod = Pod & { spec: PodSpec };

export function makePod(name: string, o: PodOptions = {}): TestPod {
  const { cpu, memory, labels, namespace, owner, hostPort, requests, creationTimestamp, ...spec } = o;
  const req: Record<string, string> = { ...requests };
  if (cpu) req['cpu'] = cpu;
  if (memory) req['memory'] = memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: namespace ?? 'default',
      uid: `uid-${namespace ?? 'default'}-${name}`,
      labels,
      creationTimestamp,
      ownerReferences: owner
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: `rs-${owner}`, controller: true }]
        : undefined,
    },
    spec: {
      ...spec,
      containers: [
        {
          name: 'c',
          resources: { requests: req },
          ports: hostPort ? [{ containerPort: 80, hostPort }] : undefined,
        },
      ],
    },
  };
}

/** A deterministic RNG (mulberry32) for tie breaks in tests and benchmarks. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
