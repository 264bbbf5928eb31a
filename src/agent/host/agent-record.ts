// What an agent records in its data dir about what it set up on the host (`agent.json`): the process that runs
// it, its pod bridge, pod CIDR and cgroup root. killall reads it to find exactly this data dir's things.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AgentRecord {
  /** The process running the agent (a `tutti server` or `tutti agent`); absent once it stopped cleanly. */
  pid?: number;
  /** Start time of that process in clock ticks, so a reused pid is not taken for it. */
  startTicks?: number;
  nodeName: string;
  runtime: 'cri' | 'process';
  bridgeName?: string;
  podCidr?: string;
  cgroupRoot?: string;
  /**
   * nftables tables this node's components made on the host (`<family> <name>`, e.g. `ip tutti-proxy`): killall
   * deletes them. Components that add host rules list theirs here (none of the agent's own do: CNI uses iptables).
   */
  nftTables?: string[];
}

export function agentRecordPath(agentDataDir: string): string {
  return join(agentDataDir, 'agent.json');
}

export function readAgentRecord(agentDataDir: string): AgentRecord | undefined {
  try {
    return JSON.parse(readFileSync(agentRecordPath(agentDataDir), 'utf8')) as AgentRecord;
  } catch {
    return undefined;
  }
}

export function writeAgentRecord(agentDataDir: string, record: AgentRecord): void {
  const path = agentRecordPath(agentDataDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
