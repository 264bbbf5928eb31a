// `tutti killall` and `tutti uninstall` (k3s-killall.sh / k3s-uninstall.sh): stop a node for good. killall stops
// the `tutti server` / `tutti agent` processes of one data dir, every pod of its containerd, containerd and its
// shims, and removes the agent's mounts, network (veths, bridge, CNI iptables rules, IPAM state) and pod cgroups;
// uninstall does the same and then deletes the data dir. Both are idempotent and touch no other data dir.
import { readlinkSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findProcesses, type KillallReport, killallAgentHost, processArgv } from '../agent/index.js';
import { defaultDataDir } from './datadir.js';
import { parseArgs, stringFlag } from './flags.js';
import { removePodNetworkLeftovers } from './podnet.js';

const KILLALL_HELP = `Usage: tutti killall [--data-dir DIR]

Stops this machine's node for good: the tutti server/agent processes of DIR, every pod sandbox and container of
its containerd, containerd and its shims; then removes the agent's mounts, veths, pod bridge, CNI iptables rules,
host-local IPAM state and pod cgroups. Only what belongs to DIR is touched. Safe to run again.

  --data-dir DIR   the data dir the server/agent used (default /var/lib/tutti as root, else ~/.tutti)
`;

const UNINSTALL_HELP = `Usage: tutti uninstall [--data-dir DIR]

Runs 'tutti killall' and then deletes DIR (cluster state, PKI, kubeconfig, images: everything).

  --data-dir DIR   the data dir to remove (default /var/lib/tutti as root, else ~/.tutti)
`;

/** The data dir a `tutti server` / `tutti agent` process runs on, or undefined for any other process. */
export function tuttiCommandDataDir(argv: string[], cwd: string, fallback: string): string | undefined {
  const i = argv.findIndex((a) => /(^|\/)tutti(\.js)?$/.test(a));
  if (i < 0) return undefined;
  const cmd = argv[i + 1];
  if (cmd !== 'server' && cmd !== 'agent') return undefined;
  const rest = argv.slice(i + 2);
  // Simulated nodes run no containers and keep nothing on the host.
  if (rest.some((a) => a === '--simulate' || a.startsWith('--simulate='))) return undefined;
  let dir: string | undefined;
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '--data-dir') dir = rest[j + 1];
    else if (rest[j]!.startsWith('--data-dir=')) dir = rest[j]!.slice('--data-dir='.length);
  }
  return resolve(cwd, dir ?? fallback);
}

function processesOf(dataDir: string): number[] {
  const fallback = defaultDataDir();
  const pids: number[] = [];
  for (const pid of findProcesses((argv) => tuttiCommandDataDir(argv, '/', fallback) !== undefined)) {
    const argv = processArgv(pid);
    if (!argv) continue;
    let cwd = '/';
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // gone, or not ours to read
    }
    if (tuttiCommandDataDir(argv, cwd, fallback) === dataDir) pids.push(pid);
  }
  return pids;
}

function printReport(dataDir: string, r: KillallReport): void {
  const did = r.processes.length + r.sandboxes.length + r.unmounted.length + r.links.length + r.iptables.length;
  if (did === 0 && r.leftovers.length === 0) {
    console.log(`nothing of ${dataDir} runs on this machine`);
    return;
  }
  const line = (what: string, items: string[] | number[]) => {
    if (items.length) console.log(`${what}: ${items.join(', ')}`);
  };
  line('stopped processes', r.processes);
  line('removed sandboxes', r.sandboxes);
  line('unmounted', r.unmounted);
  line('deleted links', r.links);
  line('deleted iptables', r.iptables);
  console.log(`pod bridge ${r.bridge} and cgroup /${r.cgroupRoot} are gone`);
  if (r.leftovers.length) console.error(`still there: ${r.leftovers.join('; ')}`);
}

async function killall(argv: string[], help: string): Promise<{ dataDir: string; report: KillallReport } | number> {
  const args = parseArgs(argv, new Set(['help']));
  if (args.flags.has('help') || args.flags.has('h')) {
    console.log(help);
    return 0;
  }
  const unknown = [...args.flags.keys()].filter((k) => k !== 'data-dir');
  if (unknown.length || args.positionals.length) {
    console.error(
      `unknown argument ${unknown.length ? `--${unknown[0]}` : JSON.stringify(args.positionals[0])}\n\n${help}`,
    );
    return 2;
  }
  const dataDir = resolve(stringFlag(args, 'data-dir', defaultDataDir()));
  const report = await killallAgentHost({
    dataDir: join(dataDir, 'agent'),
    processes: processesOf(dataDir),
    log: process.env['TUTTI_KILLALL_LOG'] ? (m, f) => console.error(JSON.stringify({ m, ...f })) : undefined,
  });
  // With the agent stopped: the routes to other nodes' pods and the vxlan device that it leaves for a restart.
  await removePodNetworkLeftovers();
  printReport(dataDir, report);
  return { dataDir, report };
}

export async function runKillall(argv: string[]): Promise<number> {
  const r = await killall(argv, KILLALL_HELP);
  if (typeof r === 'number') return r;
  return r.report.leftovers.length ? 1 : 0;
}

export async function runUninstall(argv: string[]): Promise<number> {
  const r = await killall(argv, UNINSTALL_HELP);
  if (typeof r === 'number') return r;
  if (r.report.leftovers.length) {
    console.error(`not removing ${r.dataDir}: something of it is still running or mounted`);
    return 1;
  }
  rmSync(r.dataDir, { recursive: true, force: true });
  console.log(`removed ${r.dataDir}`);
  return 0;
}
