// The cluster-wide settings every node must share with the server (k3s's agents get them from the server's
// /v1-k3s/config; kubeadm's nodes read the kubeadm-config ConfigMap): the server publishes them in the
// ConfigMap kube-system/tutti-config, which nodes (and joining nodes, with the join token) may read by name.
// The keys are the flag names of `tutti server` and `tutti agent`. Pure.
import type { ConfigMap } from './types.js';

export const CLUSTER_CONFIG_NAMESPACE = 'kube-system';
export const CLUSTER_CONFIG_NAME = 'tutti-config';

/** The settings, by flag name. */
export const CLUSTER_CONFIG_KEYS = [
  'service-cidr',
  'cluster-cidr',
  'cluster-dns',
  'cluster-domain',
  'service-node-port-range',
] as const;
export type ClusterConfigKey = (typeof CLUSTER_CONFIG_KEYS)[number];
export type ClusterConfig = Partial<Record<ClusterConfigKey, string>>;

export function clusterConfigMap(config: ClusterConfig): ConfigMap {
  const data: Record<string, string> = {};
  for (const k of CLUSTER_CONFIG_KEYS) if (config[k] !== undefined) data[k] = config[k];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_CONFIG_NAME, namespace: CLUSTER_CONFIG_NAMESPACE },
    data,
  };
}

/** The known, non-empty settings of the ConfigMap (anything else in it is ignored). */
export function clusterConfigFrom(cm: Pick<ConfigMap, 'data'> | undefined): ClusterConfig {
  const out: ClusterConfig = {};
  for (const k of CLUSTER_CONFIG_KEYS) {
    const v = cm?.data?.[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim();
  }
  return out;
}

/**
 * The agent's settings: the server's where the agent's command line names none; where both name one and they
 * differ, the command line's wins and the difference is reported (pods would get addresses or a DNS server that
 * the rest of the cluster does not route).
 */
export function mergeClusterConfig(
  fromServer: ClusterConfig,
  fromFlags: ClusterConfig,
): { config: ClusterConfig; conflicts: { key: ClusterConfigKey; server: string; flag: string }[] } {
  const config: ClusterConfig = { ...fromServer };
  const conflicts: { key: ClusterConfigKey; server: string; flag: string }[] = [];
  for (const k of CLUSTER_CONFIG_KEYS) {
    const flag = fromFlags[k];
    if (flag === undefined) continue;
    const server = fromServer[k];
    if (server !== undefined && server !== flag) conflicts.push({ key: k, server, flag });
    config[k] = flag;
  }
  return { config, conflicts };
}
