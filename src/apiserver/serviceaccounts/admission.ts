// The ServiceAccount admission plugin's token mount (plugin/pkg/admission/serviceaccount): a pod whose
// ServiceAccount exists and that does not opt out (pod, then ServiceAccount `automountServiceAccountToken`)
// gets the projected `kube-api-access-<suffix>` volume (a bound token, the cluster CA, the namespace),
// mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container. Tutti is lenient
// where upstream refuses: a pod whose ServiceAccount does not exist yet is admitted without the mount.
import { randomSuffix } from '../../core/names.js';
import type { KubeObject } from '../../core/types.js';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Container {
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

/** Adds the token volume and mounts to `pod` (a create) when `sa` allows it. */
export function mountServiceAccountToken(pod: KubeObject, sa: KubeObject | undefined): void {
  const spec = pod.spec as
    | {
        automountServiceAccountToken?: boolean;
        volumes?: Record<string, unknown>[];
        containers?: Container[];
        initContainers?: Container[];
      }
    | undefined;
  if (!spec || !sa) return;
  const automount =
    spec.automountServiceAccountToken ??
    (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken ??
    true;
  if (!automount) return;
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  if (!Array.isArray(spec.containers)) return;
  // a pod that mounts something at the path already keeps its own
  if (containers.some((c) => (c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH))) return;
  const name = `kube-api-access-${randomSuffix()}`;
  spec.volumes = [
    ...(spec.volumes ?? []),
    {
      name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    },
  ];
  for (const c of containers)
    c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
}
