// Stops a node for good and removes what its agent set up on the host, as k3s-killall.sh does, touching only
// what belongs to one agent data dir: its agent process, every pod sandbox and container of its containerd
// (through CRI, starting that containerd again if it is down, then with runc for anything left), containerd and
// its shims, the mounts under the data dir and the pods' network namespaces, the CNI iptables rules tagged with
// its sandbox ids, the veths on its bridge and the bridge, its host-local IPAM state and its pod cgroups.
// Idempotent: a second run finds nothing and says so.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessRuntime } from '../process/process-runtime.js';
import { cgroupExists, removeCgroup } from '../pods/cgroups.js';
import {
  type ContainerdLayout,
  containerdLayout,
  containerdProcessesOf,
  CriRuntime,
  criAnswers,
  findProcesses,
  launchContainerd,
  pidAlive,
  processStartTicks,
  type RunningContainerd,
  stopContainerdOf,
  terminateProcess,
} from '../runtime/index.js';
import { readAgentRecord } from './agent-record.js';
import { planIptablesCleanup } from './iptables-plan.js';
import { bridgePortNames, deleteLink, linkExists } from './links.js';
import { mountsUnder, parseMountinfo } from './mountinfo.js';
import { bridgeNameFor, cgroupRootFor } from './names.js';

export interface KillallOptions {
  /** The agent's data dir (`<tutti data dir>/agent`). */
  dataDir: string;
  /** Other processes to stop first (e.g. the `tutti server` / `tutti agent` commands of this data dir). */
  processes?: number[];
  /** SIGTERM grace for those processes before SIGKILL (default 20 s: a server stops its agent first). */
  processGraceMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface KillallReport {
  processes: number[];
  sandboxes: string[];
  unmounted: string[];
  links: string[];
  iptables: string[];
  cgroupRoot: string;
  bridge: string;
  /** What could not be removed; empty when the host is clean of this data dir. */
  leftovers: string[];
}

/** The runc root the runc v2 shim uses for the k8s.io namespace, whatever containerd's own root is. */
const RUNC_ROOT = '/run/containerd/runc/k8s.io';
const CNI_RESULTS = '/var/lib/cni/results';
const TASK_DIR = join('io.containerd.runtime.v2.task', 'k8s.io');

interface TaskBundle {
  id: string;
  netns?: string;
  /** The pod cgroup (cgroupsPath minus the container's own leaf), e.g. `/tutti/pod<uid>`. */
  podCgroup?: string;
  shimSocket?: string;
}

function run(cmd: string, args: string[]): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The bridge the data dir's CNI config names (what the bridge plugin really created). */
function bridgeFromConflist(layout: ContainerdLayout): string | undefined {
  try {
    const conf = JSON.parse(readFileSync(join(layout.cniConfDir, '10-tutti.conflist'), 'utf8')) as {
      plugins?: { type?: string; bridge?: string }[];
    };
    return conf.plugins?.find((p) => p.type === 'bridge')?.bridge;
  } catch {
    return undefined;
  }
}

/** Task bundles containerd left in its state dir: container ids, the network namespace of sandboxes, shim sockets. */
function taskBundles(layout: ContainerdLayout): TaskBundle[] {
  const dir = join(layout.state, TASK_DIR);
  return listDir(dir).map((id) => {
    const b: TaskBundle = { id };
    try {
      const spec = JSON.parse(readFileSync(join(dir, id, 'config.json'), 'utf8')) as {
        linux?: { namespaces?: { type: string; path?: string }[]; cgroupsPath?: string };
      };
      const cg = spec.linux?.cgroupsPath;
      if (cg?.startsWith('/') && cg.split('/').length >= 4) b.podCgroup = cg.slice(0, cg.lastIndexOf('/'));
      const ns = spec.linux?.namespaces?.find((n) => n.type === 'network')?.path;
      // Only the sandbox creates its namespace; containers join it by the same path.
      if (ns?.includes('/netns/cni-')) b.netns = ns;
    } catch {
      // not a bundle any more
    }
    try {
      b.shimSocket = readFileSync(join(dir, id, 'address'), 'utf8')
        .trim()
        .replace(/^unix:\/\//, '');
    } catch {
      // no shim recorded
    }
    return b;
  });
}

function sandboxIdsOnDisk(layout: ContainerdLayout): Set<string> {
  const ids = new Set<string>();
  for (const base of [layout.root, layout.state]) {
    for (const id of listDir(join(base, 'io.containerd.grpc.v1.cri', 'sandboxes'))) ids.add(id);
  }
  return ids;
}

/** Pids in a cgroup subtree, in every hierarchy. */
function cgroupPids(relPath: string): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    for (const e of listDir(dir)) {
      if (e === 'cgroup.procs') {
        for (const l of readFileSync(join(dir, e), 'utf8').split('\n')) if (l.trim()) pids.add(Number(l));
      }
    }
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    } catch {
      // gone meanwhile
    }
  };
  const fs = '/sys/fs/cgroup';
  const hierarchies = existsSync(join(fs, 'cgroup.controllers')) ? [''] : listDir(fs);
  for (const h of hierarchies) {
    const dir = join(fs, h, relPath);
    if (existsSync(dir)) walk(dir);
  }
  return [...pids];
}

function shimsOf(layout: ContainerdLayout): number[] {
  return findProcesses((argv) => {
    const exe = argv[0]?.split('/').pop() ?? '';
    return exe.startsWith('containerd-shim') && argv.includes(layout.socket);
  });
}

function mountPoints(): ReturnType<typeof parseMountinfo> {
  try {
    return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  } catch {
    return [];
  }
}

/** Unmounts a path until nothing is mounted there (propagation can stack copies); false when one stays. */
function unmount(path: string): boolean {
  for (let i = 0; i < 8; i++) {
    if (!mountPoints().some((m) => m.mountPoint === path)) return true;
    if (run('umount', [path]) === undefined) run('umount', ['-l', path]);
  }
  return !mountPoints().some((m) => m.mountPoint === path);
}

function removeFile(path: string): boolean {
  try {
    rmSync(path, { force: true });
    return true;
  } catch {
    // a mount we cannot reach by its path still holds it (e.g. hidden under a later bind mount of /run/netns)
    return false;
  }
}

/** Deletes CNI rules of these sandboxes in every table; returns what it removed. */
function removeIptablesRules(ids: Set<string>): string[] {
  const removed: string[] = [];
  if (ids.size === 0 || run('iptables', ['--version']) === undefined) return removed;
  for (const table of ['nat', 'filter', 'mangle', 'raw']) {
    const listing = run('iptables', ['-w', '-t', table, '-S']);
    if (!listing) continue;
    const plan = planIptablesCleanup(listing, ids);
    for (const r of plan.deleteRules) {
      if (run('iptables', ['-w', '-t', table, '-D', r.chain, String(r.index)]) !== undefined) {
        removed.push(`${table} ${r.chain} #${r.index}`);
      }
    }
    for (const chain of plan.deleteChains) run('iptables', ['-w', '-t', table, '-F', chain]);
    for (const chain of plan.deleteChains) {
      if (run('iptables', ['-w', '-t', table, '-X', chain]) !== undefined) removed.push(`${table} chain ${chain}`);
    }
  }
  return removed;
}

/** Deletes the nftables tables a record names (`<family> <name>`); returns the ones it deleted. */
function removeNftTables(tables: readonly string[]): string[] {
  const valid = tables.filter((t) => /^(ip|ip6|inet|arp|bridge|netdev) [A-Za-z0-9_.-]+$/.test(t));
  if (valid.length === 0 || run('nft', ['--version']) === undefined) return [];
  return valid.filter((t) => run('nft', ['delete', 'table', ...t.split(' ')]) !== undefined);
}

function remainingNftTables(tables: readonly string[]): string[] {
  if (tables.length === 0 || run('nft', ['--version']) === undefined) return [];
  return tables.filter((t) => run('nft', ['list', 'table', ...t.split(' ')]) !== undefined);
}

function remainingIptables(ids: Set<string>): string[] {
  const out: string[] = [];
  for (const table of ['nat', 'filter', 'mangle', 'raw']) {
    const listing = run('iptables', ['-w', '-t', table, '-S']) ?? '';
    for (const l of listing.split('\n')) if ([...ids].some((id) => l.includes(id))) out.push(`${table}: ${l}`);
  }
  return out;
}

/** Tears pods down through CRI so the CNI plugins release addresses, veths and rules as they should. */
async function teardownThroughCri(
  layout: ContainerdLayout,
  ids: Set<string>,
  log: NonNullable<KillallOptions['log']>,
): Promise<string[]> {
  if (!existsSync(layout.configPath)) return [];
  let started: RunningContainerd | undefined;
  let answers = containerdProcessesOf(layout).length > 0 && (await criAnswers(layout.socket));
  if (!answers && (ids.size > 0 || taskBundles(layout).length > 0)) {
    // The pods' containerd is down (its agent died with it): start it on its own config to tear them down.
    await stopContainerdOf(layout);
    try {
      started = await launchContainerd(layout, { startTimeoutMs: 30_000 });
      answers = true;
    } catch (err) {
      log('killall: could not start containerd to tear pods down; removing them with runc', { error: String(err) });
    }
  }
  if (!answers) return [];
  const left: string[] = [];
  const rt = new CriRuntime(`unix://${layout.socket}`, { timeoutMs: 60_000 });
  const netnsOf = new Map(taskBundles(layout).flatMap((b) => (b.netns ? [[b.id, b.netns] as const] : [])));
  const removeSandbox = async (id: string) => {
    await rt.stopPodSandbox(id);
    await rt.removePodSandbox(id);
  };
  try {
    for (const s of await rt.listPodSandboxes()) {
      ids.add(s.id);
      try {
        await removeSandbox(s.id);
      } catch (err) {
        // containerd unmounts a namespace once; a stacked copy makes its unlink fail: unmount it all, retry.
        log('killall: removing sandbox failed', { id: s.id, error: String(err) });
        const ns = netnsOf.get(s.id);
        if (ns && unmount(ns) && removeFile(ns)) {
          await removeSandbox(s.id).catch((e) => log('killall: retry failed', { id: s.id, error: String(e) }));
        }
      }
    }
    for (const c of await rt.listContainers()) {
      await rt.stopContainer(c.id, 0).catch(() => {});
      await rt.removeContainer(c.id).catch(() => {});
    }
    for (const s of await rt.listPodSandboxes()) left.push(`sandbox ${s.id} (containerd could not remove it)`);
  } catch (err) {
    log('killall: CRI teardown failed; removing what is left with runc', { error: String(err) });
  } finally {
    rt.close();
    await started?.stop();
  }
  return left;
}

/** Pods of the process runtime are host processes under shims; its own teardown stops them. */
async function teardownProcessRuntime(dataDir: string): Promise<string[]> {
  const root = join(dataDir, 'process-runtime');
  if (!existsSync(join(root, 'sandboxes'))) return [];
  const rt = new ProcessRuntime({ root, log: () => {} });
  const ids: string[] = [];
  for (const s of await rt.listPodSandboxes()) {
    ids.push(s.id);
    await rt.removePodSandbox(s.id).catch(() => {});
  }
  return ids;
}

/** A cgroup root whose processes killall may SIGKILL: one of Tutti's names, never a system slice. */
function killableCgroupRoot(root: string): boolean {
  return /^tutti[A-Za-z0-9._-]*$/.test(root);
}

export async function killallAgentHost(opts: KillallOptions): Promise<KillallReport> {
  const log = opts.log ?? (() => {});
  const dataDir = resolve(opts.dataDir);
  const record = readAgentRecord(dataDir);
  const layout = containerdLayout(join(dataDir, 'containerd'));
  const bridge = bridgeFromConflist(layout) ?? record?.bridgeName ?? bridgeNameFor(dataDir);
  const cgroupRoot = record?.cgroupRoot ?? cgroupRootFor(dataDir);
  const report: KillallReport = {
    processes: [],
    sandboxes: [],
    unmounted: [],
    links: [],
    iptables: [],
    cgroupRoot,
    bridge,
    leftovers: [],
  };

  // 1. The agent first, or it would start the pods again.
  const procs = new Set(opts.processes ?? []);
  const pid = record?.pid;
  if (pid && pid !== process.pid && pidAlive(pid) && processStartTicks(pid) === record.startTicks) procs.add(pid);
  procs.delete(process.pid);
  report.processes = [...procs];
  await Promise.all([...procs].map((p) => terminateProcess(p, opts.processGraceMs ?? 20_000)));

  // 2. Pods, through CRI while the state is there to say what they are.
  const sandboxIds = sandboxIdsOnDisk(layout);
  const bundlesBefore = taskBundles(layout);
  report.leftovers.push(...(await teardownThroughCri(layout, sandboxIds, log)));
  report.sandboxes.push(...sandboxIds, ...(await teardownProcessRuntime(dataDir)));
  await stopContainerdOf(layout);

  // 3. Whatever CRI could not remove: tasks (runc), processes in the pod cgroups, then the shims.
  const bundles = [...bundlesBefore, ...taskBundles(layout)];
  for (const b of taskBundles(layout)) {
    run('runc', ['--root', RUNC_ROOT, 'kill', b.id, 'KILL']);
    run('runc', ['--root', RUNC_ROOT, 'delete', '--force', b.id]);
  }
  const podCgroups = [...new Set(bundlesBefore.flatMap((b) => (b.podCgroup ? [b.podCgroup] : [])))];
  const killable = [...(killableCgroupRoot(cgroupRoot) ? [`/${cgroupRoot}`] : []), ...podCgroups];
  for (const cg of killable) {
    for (const p of cgroupPids(cg)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  await Promise.all(shimsOf(layout).map((p) => terminateProcess(p, 2_000)));
  for (const b of bundles) if (b.shimSocket?.startsWith('/run/containerd/s/')) removeFile(b.shimSocket);

  // 4. Mounts: rootfs overlays and shm under the data dir, and the pods' network namespaces.
  const netns = [...new Set(bundles.flatMap((b) => (b.netns ? [b.netns] : [])))];
  const nsPaths = netns.flatMap((p) => [p, p.replace(/^\/var\/run\//, '/run/')]);
  for (const m of mountsUnder(mountPoints(), [dataDir, ...nsPaths])) if (unmount(m)) report.unmounted.push(m);
  for (const p of netns) if (!removeFile(p)) report.leftovers.push(`network namespace ${p} (still mounted)`);
  // CNI tags its rules and cache files with the sandbox id; container ids never match anything, harmlessly.
  const ids = new Set([...sandboxIds, ...bundles.map((b) => b.id)]);

  // 5. Network: CNI rules, veths on the bridge, the bridge, CNI caches and host-local IPAM state.
  report.iptables = [
    ...removeIptablesRules(ids),
    ...removeNftTables(record?.nftTables ?? []).map((t) => `nft table ${t}`),
  ];
  for (const port of bridgePortNames(bridge)) if (deleteLink(port)) report.links.push(port);
  if (deleteLink(bridge)) report.links.push(bridge);
  for (const f of listDir(CNI_RESULTS)) if ([...ids].some((id) => f.includes(id))) removeFile(join(CNI_RESULTS, f));
  rmSync(layout.cniIpamDir, { recursive: true, force: true });

  // 6. Pod cgroups (containerd leaves them; the agent removes them per pod, this removes the whole root).
  for (const cg of podCgroups) removeCgroup(cg);
  removeCgroup(`/${cgroupRoot}`);

  // What is still there is reported, not hidden.
  for (const p of containerdProcessesOf(layout)) report.leftovers.push(`containerd pid ${p}`);
  for (const p of shimsOf(layout)) report.leftovers.push(`containerd shim pid ${p}`);
  for (const p of [...procs].filter(pidAlive)) report.leftovers.push(`process ${p}`);
  for (const m of mountsUnder(mountPoints(), [dataDir, ...nsPaths])) report.leftovers.push(`mount ${m}`);
  if (linkExists(bridge)) report.leftovers.push(`bridge ${bridge}`);
  for (const cg of [`/${cgroupRoot}`, ...podCgroups]) if (cgroupExists(cg)) report.leftovers.push(`cgroup ${cg}`);
  for (const r of remainingIptables(ids)) report.leftovers.push(`iptables ${r}`);
  for (const t of remainingNftTables(record?.nftTables ?? [])) report.leftovers.push(`nft table ${t}`);
  log('killall done', { dataDir, ...report });
  return report;
}
