// Shell helpers of the tests that run `tutti server`/`tutti agent` as "machines" inside network namespaces
// the tests make themselves (network-cluster, rolling-update-zero-loss, ingress-node, the two-node pod network):
// a command that must succeed, a command inside a namespace, and the reason to skip when the machine lacks
// what they need. Namespace layouts stay with each test: they differ.
import { spawn, spawnSync } from 'node:child_process';
import { containerdSkipReason } from '../../agent/runtime/testing/containerd-env.js';

/** Runs a command that must succeed; returns its stdout. */
export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * Runs a command in a network namespace (nsenter, not `ip netns exec`: it keeps /sys, which containerd's
 * cgroups need); stdout and stderr together, killed after the timeout.
 */
export function nsRun(
  ns: string,
  cmd: string,
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, '--', cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

/** Why the namespace tests cannot run here (root, containerd, runc, CNI plugins, busybox, the tools), or undefined. */
export function netnsSkipReason(tools: string[]): string | undefined {
  const c = containerdSkipReason();
  if (c) return c;
  for (const tool of ['nsenter', 'nft', 'ip', ...tools]) {
    if (spawnSync('which', [tool]).status !== 0) return `needs ${tool}`;
  }
  return undefined;
}
