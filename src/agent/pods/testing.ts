// Builders for the pure planners' tests: pods and observed runtime state in a few words.
import type { Container } from '../../core/types.js';
import type { BoundPod } from '../types.js';
import { containerSpecHash } from './labels.js';
import type { ContainerKind, ObservedContainer, ObservedPod } from './observed.js';

export function testPod(containers: Partial<Container>[], extra: Partial<BoundPod['spec']> = {}): BoundPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'uid-1' },
    spec: {
      nodeName: 'n1',
      containers: containers.map((c, i) => ({ name: c.name ?? `c${i}`, image: 'busybox', ...c })),
      ...extra,
    },
  };
}

export function observedContainer(
  pod: BoundPod,
  name: string,
  fields: Partial<ObservedContainer> & { state: ObservedContainer['state'] },
  kind: ContainerKind = 'regular',
): ObservedContainer {
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === name);
  return {
    id: `${name}-${fields.restartCount ?? 0}`,
    sandboxId: 'sb1',
    name,
    kind,
    restartCount: 0,
    specHash: spec ? containerSpecHash(spec) : 'x',
    createdAt: 1000,
    startedAt: fields.state === 'created' ? undefined : 1000,
    finishedAt: fields.state === 'exited' ? 2000 : undefined,
    exitCode: 0,
    reason: '',
    message: '',
    image: 'docker.io/library/busybox:1.35',
    imageRef: 'sha256:abc',
    ...fields,
  };
}

export function withSandbox(containers: ObservedContainer[], ip = '10.0.0.5'): ObservedPod {
  return { sandboxes: [{ id: 'sb1', state: 'ready', attempt: 0, createdAt: 500, ip }], containers };
}
