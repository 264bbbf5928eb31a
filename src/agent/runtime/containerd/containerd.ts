// Starts a private containerd (like k3s does) with its own root, state and sockets under dataDir, so it runs
// beside any other containerd on the machine. The caller owns its lifetime: stop() ends it. Containers keep
// running in their shims after containerd stops (by design), so remove them first when tearing down for good.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
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

/** Name under which ensureBaseImages imports the pause image; containerd never pulls it (no internet). */
export const DEFAULT_SANDBOX_IMAGE = 'localhost/tutti/pause:1.0';

export interface ContainerdOptions {
  dataDir: string;
  /** CIDR the node's pods get addresses from, e.g. `10.42.0.0/24`. */
  podCidr: string;
  sandboxImage?: string;
  /** Linux bridge the CNI plugin creates; distinct per node when several run on one machine. */
  bridgeName?: string;
  cniBinDir?: string;
  /** Registries reached over plain HTTP. */
  insecureRegistries?: string[];
  snapshotter?: string;
  containerdPath?: string;
  startTimeoutMs?: number;
}

export interface RunningContainerd {
  /** `unix://...` CRI endpoint (also containerd's own API, for ctr). */
  endpoint: string;
  /** Socket path, as `ctr -a` wants it. */
  socket: string;
  layout: ContainerdLayout;
  pid: number;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

export function writeContainerdFiles(opts: ContainerdOptions): ContainerdLayout {
  const layout = containerdLayout(opts.dataDir);
  for (const d of [layout.dataDir, layout.cniConfDir, layout.cniIpamDir, layout.certsDir]) {
    mkdirSync(d, { recursive: true });
  }
  writeFileSync(
    layout.configPath,
    containerdConfigToml(layout, {
      sandboxImage: opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE,
      cniBinDir: opts.cniBinDir ?? '/usr/lib/cni',
      snapshotter: opts.snapshotter ?? 'overlayfs',
    }),
  );
  writeFileSync(
    join(layout.cniConfDir, '10-tutti.conflist'),
    cniConflist(layout, { podCidr: opts.podCidr, bridgeName: opts.bridgeName ?? 'tutti0', networkName: 'tutti' }),
  );
  for (const host of opts.insecureRegistries ?? ['localhost:5000']) {
    const dir = join(layout.certsDir, host);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'hosts.toml'), insecureRegistryHostsToml(host));
  }
  return layout;
}

export async function startContainerd(opts: ContainerdOptions): Promise<RunningContainerd> {
  const layout = writeContainerdFiles(opts);
  // A stale socket from a crashed run would make the readiness probe talk to nothing.
  rmSync(layout.socket, { force: true });
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

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
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
  return { endpoint: `unix://${layout.socket}`, socket: layout.socket, layout, pid: child.pid ?? 0, stop };
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
