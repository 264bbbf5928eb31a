// Test helpers for suites that run against a real private containerd: why a suite must skip, unique
// names per run, and checks that a teardown left nothing behind on the host.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A reason to skip, or undefined when root, containerd, runc, ctr, the CNI plugins, busybox and gcc are there. */
export function containerdSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  for (const bin of ['containerd', 'ctr', 'runc', 'gcc', 'ip']) {
    if (!onPath(bin)) return `${bin} not installed (run: bash scripts/install-deps.sh)`;
  }
  if (!existsSync('/usr/lib/cni/bridge')) return 'containernetworking-plugins not installed';
  if (!existsSync('/bin/busybox')) return 'busybox-static not installed';
  return undefined;
}

/** Per-run names so concurrent runs on one machine do not share a bridge or subnet. */
export function uniqueNetwork(prefix: string): { bridgeName: string; podCidr: string } {
  const n = process.pid % 200;
  return { bridgeName: `${prefix}${process.pid}`.slice(0, 15), podCidr: `10.233.${n + 20}.0/24` };
}

/** Interfaces enslaved to a bridge (the pods' veth host ends). */
export function bridgePorts(bridge: string): string[] {
  const out = execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split(':')[1]!.trim().split('@')[0]!);
}

export function deleteLink(name: string): void {
  try {
    execFileSync('ip', ['link', 'del', name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** IPs host-local still holds: every file in its network dir except its bookkeeping files. */
export function allocatedIps(ipamDir: string, network: string): string[] {
  const dir = join(ipamDir, network);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'));
}

/** Removes a cgroupfs subtree (children first) in every v1 hierarchy; containerd leaves pod cgroups behind. */
export function removeCgroupTree(relPath: string): void {
  const root = '/sys/fs/cgroup';
  if (!existsSync(root)) return;
  for (const h of readdirSync(root)) {
    removeDirDepthFirst(join(root, h, relPath));
  }
}

function removeDirDepthFirst(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeDirDepthFirst(join(dir, e.name));
  }
  try {
    rmdirSync(dir);
  } catch {
    // still has tasks; leave it for the caller's assertions
  }
}

export function containerdTasks(socket: string): string[] {
  const out = execFileSync('ctr', ['-a', socket, '-n', 'k8s.io', 'tasks', 'ls', '-q'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim());
}
