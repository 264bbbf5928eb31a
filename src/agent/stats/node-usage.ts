// The node's own usage, read as the kubelet's cAdvisor reads the root cgroup, from files that are the same
// on cgroup v1, v2 and hybrid hosts: CPU is the cumulative non-idle time of /proc/stat (user, nice,
// system, irq, softirq, steal; USER_HZ ticks), memory the working set = (MemTotal - MemFree) -
// Inactive(file) of /proc/meminfo (cAdvisor: usage minus inactive_file, never below zero).
import { readFileSync } from 'node:fs';

/** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture the kernel exports to user space. */
const USER_HZ = 100;

/** Cumulative non-idle CPU seconds from the first line of /proc/stat; undefined when it is not there. */
export function parseProcStatCpuSeconds(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  // user nice system idle iowait irq softirq steal (guest is already counted in user).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / USER_HZ;
}

/** Working-set bytes from /proc/meminfo; undefined when MemTotal or MemFree is missing. */
export function parseMeminfoWorkingSet(text: string): number | undefined {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([^:]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) kb.set(m[1]!, Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  const free = kb.get('MemFree');
  if (total === undefined || free === undefined) return undefined;
  const usage = total - free;
  const inactiveFile = kb.get('Inactive(file)') ?? 0;
  return Math.max(0, usage - inactiveFile);
}

export interface NodeUsage {
  cpuSeconds: number;
  memoryBytes: number;
  timestampMs: number;
}

/** Reads the node's usage now; undefined when /proc is not readable (not Linux). */
export function readNodeUsage(procDir = '/proc', now = Date.now): NodeUsage | undefined {
  try {
    const cpuSeconds = parseProcStatCpuSeconds(readFileSync(`${procDir}/stat`, 'utf8'));
    const memoryBytes = parseMeminfoWorkingSet(readFileSync(`${procDir}/meminfo`, 'utf8'));
    if (cpuSeconds === undefined || memoryBytes === undefined) return undefined;
    return { cpuSeconds, memoryBytes, timestampMs: now() };
  } catch {
    return undefined;
  }
}
