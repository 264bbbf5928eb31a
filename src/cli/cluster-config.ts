// The cluster settings nodes share with the server (src/core/cluster-config.ts): `tutti server` publishes its
// own in kube-system/tutti-config at every start; `tutti agent` reads them with the join token before it
// starts, so a node joins with the server's service CIDR, pod network, cluster DNS and domain without repeating
// them as flags.
import type { ApiClient } from '../client/index.js';
import { isAlreadyExists, isNotFound } from '../client/index.js';
import {
  CLUSTER_CONFIG_NAME,
  CLUSTER_CONFIG_NAMESPACE,
  type ClusterConfig,
  clusterConfigFrom,
  clusterConfigMap,
  type ConfigMap,
  CLUSTER_CONFIG_KEYS,
  mergeClusterConfig,
} from '../core/index.js';
import type { ParsedArgs } from './flags.js';

const COLLECTION = `/api/v1/namespaces/${CLUSTER_CONFIG_NAMESPACE}/configmaps`;
const PATH = `${COLLECTION}/${CLUSTER_CONFIG_NAME}`;

/** Writes the server's settings (creates the ConfigMap, or replaces data that differs). */
export async function publishClusterConfig(client: ApiClient, config: ClusterConfig): Promise<void> {
  const want = clusterConfigMap(config);
  try {
    const have = await client.get<ConfigMap>(PATH);
    if (JSON.stringify(have.data ?? {}) === JSON.stringify(want.data)) return;
    await client.update(PATH, { ...have, data: want.data });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await client.create(COLLECTION, want);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}

/** The server's settings; none when the server publishes none (an older server) or refuses to show them. */
export async function readClusterConfig(client: ApiClient): Promise<ClusterConfig> {
  try {
    return clusterConfigFrom(await client.get<ConfigMap>(PATH));
  } catch (err) {
    if (isNotFound(err)) return {};
    throw err;
  }
}

/**
 * Fills the agent's unset flags with the server's settings; returns where the agent's own flags differ from
 * the server's (the flag is kept: the caller says so).
 */
export function applyClusterConfig(
  args: ParsedArgs,
  fromServer: ClusterConfig,
): { key: string; server: string; flag: string }[] {
  const fromFlags: ClusterConfig = {};
  for (const k of CLUSTER_CONFIG_KEYS) {
    const v = args.flags.get(k);
    if (typeof v === 'string') fromFlags[k] = v;
  }
  const { config, conflicts } = mergeClusterConfig(fromServer, fromFlags);
  for (const k of CLUSTER_CONFIG_KEYS) if (config[k] !== undefined) args.flags.set(k, config[k]);
  return conflicts;
}
