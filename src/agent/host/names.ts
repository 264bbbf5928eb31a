// Names a node agent gives to what it creates on the host, derived from its data dir so that two agents on one
// machine never share them: the pod bridge (`tutti0` for the default data dir, else `tt-<hash>`) and the
// cgroup under which pod cgroups go (`tutti`, else `tutti-<hash>`).
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

/** The agent data dir of `tutti server` / `tutti agent` run as root with the default --data-dir. */
export const DEFAULT_AGENT_DATA_DIR = '/var/lib/tutti/agent';
export const DEFAULT_BRIDGE = 'tutti0';
export const DEFAULT_CGROUP_ROOT = 'tutti';

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const MAX_IFNAME = 15;

function dataDirHash(agentDataDir: string): string {
  return createHash('sha256').update(resolve(agentDataDir)).digest('hex').slice(0, 8);
}

function isDefault(agentDataDir: string): boolean {
  return resolve(agentDataDir) === DEFAULT_AGENT_DATA_DIR;
}

export function bridgeNameFor(agentDataDir: string): string {
  return isDefault(agentDataDir) ? DEFAULT_BRIDGE : `tt-${dataDirHash(agentDataDir)}`;
}

export function cgroupRootFor(agentDataDir: string): string {
  return isDefault(agentDataDir) ? DEFAULT_CGROUP_ROOT : `${DEFAULT_CGROUP_ROOT}-${dataDirHash(agentDataDir)}`;
}
