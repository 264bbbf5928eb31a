// Starts a private containerd (like k3s does) with its own root, state and sockets under dataDir, so it runs
// beside any other containerd on the machine. The caller owns its lifetime: stop() ends it. Containers keep
// running in their shims after containerd stops (by design), so remove them first when tearing down for good.
//
// Its pid is recorded in the data dir. An agent that died (kill -9) leaves its containerd running as an orphan,
// holding the data dir's metadata lock: the next start adopts it when it answers CRI, and otherwise stops it
// (SIGTERM, then SIGKILL) before starting its own. A socket is only deleted once no containerd of ours is alive.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CriClient } from '../cri/client.js';
import {
  type ContainerdLayout,
  cniConflist,
  containerdConfigToml,
  containerdLayout,
  insecureRegistryHostsToml,
} from './config.js';
import { findProcesses, pidAlive, processArgv, processStartTicks, terminateProcess } from './processes.js';

/** Name under which ensureBaseImages imports the pause image; containerd never pulls it (no internet). */
export const DEFAULT_SANDBOX_IMAGE = 'localhost/tutti/pause:1.0';

/** Default Linux bridge of the pod network (the agent derives a distinct one per data dir). */
export const DEFAULT_BRIDGE_NAME = 'tutti0';

export interface ContainerdOptions {
  dataDir: string;
  /** CIDR the node's pods get addresses from, e.g. `10.42.0.0/24`. */
  podCidr: string;
  sandboxImage?: string;
  /** Linux bridge the CNI plugin creates; distinct per node when several run on one machine. */
  bridgeName?: string;
  /** The CNI bridge masquerades pod traffic leaving the pod CIDR (default true; see CniOptions.ipMasq). */
  cniIpMasq?: boolean;
  cniBinDir?: string;
  /** Registries reached over plain HTTP. */
  insecureRegistries?: string[];
  snapshotter?: string;
  containerdPath?: string;
  startTimeoutMs?: number;
  /** Called with what happened to a containerd left by an earlier run (adopted, or stopped). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface RunningContainerd {
  /** `unix://...` CRI endpoint (also containerd's own API, for ctr). */
  endpoint: string;
  /** Socket path, as `ctr -a` wants it. */
  socket: string;
  layout: ContainerdLayout;
  pid: number;
  /** True when this run found the containerd of an earlier run answering and kept it. */
  adopted: boolean;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** What the pid file records: the start time tells a reused pid from ours. */
interface PidRecord {
  pid: number;
  startTicks?: number;
}

export function containerdPidFile(layout: ContainerdLayout): string {
  return join(layout.dataDir, 'containerd.pid');
}

export function writeContainerdFiles(opts: ContainerdOptions): ContainerdLayout {
  const layout = containerdLayout(opts.dataDir);
  for (const d of [layout.dataDir, layout.cniConfDir, layout.cniIpamDir, layout.certsDir]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(layout.configPath, containerdConfig(layout, opts));
  writeFileSync(
    join(layout.cniConfDir, '10-tutti.conflist'),
    cniConflist(layout, {
      podCidr: opts.podCidr,
      bridgeName: opts.bridgeName ?? DEFAULT_BRIDGE_NAME,
      networkName: 'tutti',
      ipMasq: opts.cniIpMasq ?? true,
    }),
  );
  for (const host of opts.insecureRegistries ?? ['localhost:5000']) {
    const dir = join(layout.certsDir, host);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts.toml'), insecureRegistryHostsToml(host));
  }
  return layout;
}

function containerdConfig(layout: ContainerdLayout, opts: ContainerdOptions): string {
  return containerdConfigToml(layout, {
    sandboxImage: opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE,
    cniBinDir: opts.cniBinDir ?? '/usr/lib/cni',
    snapshotter: opts.snapshotter ?? 'overlayfs',
  });
}

/** True for the argv of a containerd started with this layout's config file. */
export function isContainerdOf(layout: ContainerdLayout, argv: string[]): boolean {
  const exe = argv[0]?.split('/').pop();
  if (exe !== 'containerd') return false;
  const i = argv.indexOf('--config');
  const config = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--config='))?.slice('--config='.length);
  return config === layout.configPath;
}

/** Live containerd processes of this data dir: the recorded pid if it still is one, and any other found in /proc. */
export function containerdProcessesOf(layout: ContainerdLayout): number[] {
  const pids = new Set<number>();
  const rec = readPidRecord(layout);
  if (rec && pidAlive(rec.pid)) {
    const argv = processArgv(rec.pid);
    const sameStart = rec.startTicks === undefined || processStartTicks(rec.pid) === rec.startTicks;
    if (argv && sameStart && isContainerdOf(layout, argv)) pids.add(rec.pid);
  }
  for (const pid of findProcesses((argv) => isContainerdOf(layout, argv))) pids.add(pid);
  return [...pids];
}

function readPidRecord(layout: ContainerdLayout): PidRecord | undefined {
  try {
    const v = JSON.parse(readFileSync(containerdPidFile(layout), 'utf8')) as PidRecord;
    return Number.isInteger(v.pid) ? v : undefined;
  } catch {
    return undefined;
  }
}

function writePidRecord(layout: ContainerdLayout, pid: number): void {
  writeFileSync(containerdPidFile(layout), `${JSON.stringify({ pid, startTicks: processStartTicks(pid) })}\n`);
}

/** Whether a CRI server answers Version on the layout's socket within timeoutMs. */
export async function criAnswers(socket: string, timeoutMs = 2000): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const client = new CriClient(socket, { timeoutMs });
  try {
    await client.call('Version', { version: 'v1' });
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** Stops every containerd of this data dir (adopted or orphaned) and removes its socket and pid file. */
export async function stopContainerdOf(layout: ContainerdLayout, graceMs = 10_000): Promise<number[]> {
  const pids = containerdProcessesOf(layout);
  await Promise.all(pids.map((pid) => terminateProcess(pid, graceMs)));
  if (containerdProcessesOf(layout).length === 0) {
    rmSync(layout.socket, { force: true });
    rmSync(layout.ttrpcSocket, { force: true });
    rmSync(containerdPidFile(layout), { force: true });
  }
  return pids;
}

function stopByPid(layout: ContainerdLayout, pid: number): () => Promise<void> {
  return async () => {
    await terminateProcess(pid, 10_000);
    rmSync(containerdPidFile(layout), { force: true });
  };
}

export async function startContainerd(opts: ContainerdOptions): Promise<RunningContainerd> {
  const log = opts.log ?? (() => {});
  const layout = containerdLayout(opts.dataDir);
  const previousConfig = existsSync(layout.configPath) ? readFileSync(layout.configPath, 'utf8') : undefined;
  const configUnchanged = previousConfig === containerdConfig(layout, opts);
  const endpoint = `unix://${layout.socket}`;

  const earlier = containerdProcessesOf(layout);
  if (earlier.length === 1 && configUnchanged) {
    // Retried briefly: a containerd that is itself still starting (restart right after a crash) answers soon.
    let answers = false;
    for (let i = 0; i < 3 && !answers; i++) answers = await criAnswers(layout.socket, 2000);
    if (answers) {
      const pid = earlier[0]!;
      writeContainerdFiles(opts);
      writePidRecord(layout, pid);
      log('adopted the running containerd of this data dir', { pid, socket: layout.socket });
      return { endpoint, socket: layout.socket, layout, pid, adopted: true, stop: stopByPid(layout, pid) };
    }
  }
  if (earlier.length === 0 && (await criAnswers(layout.socket, 2000))) {
    // Someone answers on our socket but is no process we can see (another pid namespace): never take the
    // socket away from a live server; use it, and leave its lifetime to whoever started it.
    log("a containerd we cannot see answers on this data dir's socket; using it", { socket: layout.socket });
    writeContainerdFiles(opts);
    return { endpoint, socket: layout.socket, layout, pid: 0, adopted: true, stop: async () => {} };
  }
  if (earlier.length > 0) {
    log('stopping the containerd left by an earlier run', {
      pids: earlier,
      why: configUnchanged ? 'it does not answer CRI' : 'its configuration changed',
    });
    await Promise.all(earlier.map((pid) => terminateProcess(pid, 10_000)));
    const still = containerdProcessesOf(layout);
    if (still.length > 0) throw new Error(`containerd of ${layout.dataDir} (pid ${still.join(', ')}) does not stop`);
  }
  writeContainerdFiles(opts);
  return launchContainerd(layout, opts);
}

/**
 * Spawns containerd on the layout's existing config.toml and waits for CRI. Only call it when no containerd of
 * this data dir is alive (startContainerd checks; killall uses it to tear down pods of a dead agent).
 */
export async function launchContainerd(
  layout: ContainerdLayout,
  opts: Pick<ContainerdOptions, 'containerdPath' | 'startTimeoutMs'> = {},
): Promise<RunningContainerd> {
  // No containerd of ours is alive now: what is left of its sockets is stale.
  rmSync(layout.socket, { force: true });
  rmSync(layout.ttrpcSocket, { force: true });
  const logFd = openSync(layout.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.containerdPath ?? 'containerd', ['--config', layout.configPath], {
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  if (child.pid) writePidRecord(layout, child.pid);

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await exitAfterSignals();
    rmSync(containerdPidFile(layout), { force: true });
  };
  const exitAfterSignals = async (): Promise<void> => {
    child.kill('SIGTERM');
    // The grace timer is cancelled on exit so it does not hold the caller's event loop open.
    const grace = new AbortController();
    const done = await Promise.race([
      exited.then(() => true),
      sleep(10_000, false, { signal: grace.signal }).catch(() => false),
    ]);
    grace.abort();
    if (!done) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  try {
    await Promise.race([waitForCri(layout, child, opts.startTimeoutMs ?? 20_000), spawnError]);
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoint = `unix://${layout.socket}`;
  return { endpoint, socket: layout.socket, layout, pid: child.pid ?? 0, adopted: false, stop };
}

/** containerd is ready for the agent once the CRI plugin answers Version and reports RuntimeReady. */
async function waitForCri(layout: ContainerdLayout, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'socket not created';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`containerd exited (${child.exitCode ?? child.signalCode}); see ${layout.logFile}`);
    }
    if (existsSync(layout.socket)) {
      const client = new CriClient(layout.socket, { timeoutMs: 2000 });
      try {
        await client.call('Version', { version: 'v1' });
        return;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      } finally {
        client.close();
      }
    }
    await sleep(50);
  }
  throw new Error(`containerd not ready after ${timeoutMs} ms (${lastError}); see ${layout.logFile}`);
}
