// Test fixtures for the endpoints and endpointslice controllers: one Service and pods it may select.
import type { Pod, Service } from '../../../core/index.js';

export const svc: Service = {
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } },
  spec: {
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'metrics', port: 9090, targetPort: 9090 },
    ],
  },
};

export function mkPod(
  name: string,
  ip: string | undefined,
  ready: boolean,
  opts: { port?: number; deleting?: boolean; phase?: string; app?: string } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: { app: opts.app ?? 'web' },
      ...(opts.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: 'n1',
      containers: [{ name: 'c', ports: opts.port ? [{ name: 'http', containerPort: opts.port }] : [] }],
    },
    status: {
      phase: (opts.phase ?? 'Running') as 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  } as Pod;
}
