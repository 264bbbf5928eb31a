// Facts of a made-up node for tests: a 2-core, 4 GiB Debian machine on containerd, healthy.
import type { NodeFacts } from './node-object.js';

export function fixtureFacts(overrides: Partial<NodeFacts> = {}): NodeFacts {
  return {
    name: 'n1',
    hostIP: '127.0.0.1',
    hostname: 'host1',
    cpuCores: 2,
    memoryBytes: 4 * 1024 * 1024 * 1024,
    ephemeralStorageBytes: 10 * 1024 * 1024 * 1024,
    kernelVersion: '6.1.0',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    architecture: 'amd64',
    operatingSystem: 'linux',
    containerRuntimeVersion: 'containerd://1.6.20',
    ready: true,
    memoryPressure: false,
    diskPressure: false,
    pidPressure: false,
    ...overrides,
  };
}
