// Network plumbing for the local provider, with `ip` (iproute2): a fabric bridge in the root namespace,
// and per node a network namespace joined to it by a veth pair (eth0 inside, no default route, so
// nothing a node does can leave the machine). Also the process helpers to stop what ran inside.

import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: 30_000 });
  return stdout;
}

export async function linkExists(name: string): Promise<boolean> {
  try {
    await ip('link', 'show', 'dev', name);
    return true;
  } catch {
    return false;
  }
}

export async function netnsExists(name: string): Promise<boolean> {
  return (await ip('netns', 'list')).split('\n').some((l) => l.split(' ')[0] === name);
}

/** Parses `a.b.c.d/len` into its network address (as a number) and prefix length. */
export function parseSubnet(cidr: string): { base: number; prefix: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const [a, b, c, d, p] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (p < 8 || p > 30) throw new Error(`subnet ${cidr}: prefix must be /8 to /30`);
  const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
  return { base: ((((a << 24) | (b << 16) | (c << 8) | d) >>> 0) & mask) >>> 0, prefix: p };
}

export function ipOf(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The bridge's address (.1) and the number of node addresses after it. */
export function subnetPlan(cidr: string): { gateway: string; prefix: number; host(i: number): string; size: number } {
  const { base, prefix } = parseSubnet(cidr);
  const size = 2 ** (32 - prefix) - 3;
  return { gateway: ipOf(base + 1), prefix, size, host: (i) => ipOf(base + 2 + i) };
}

/** Creates the fabric bridge with the gateway address if missing; returns whether it made it. */
export async function ensureBridge(bridge: string, gateway: string, prefix: number): Promise<boolean> {
  if (await linkExists(bridge)) return false;
  await ip('link', 'add', bridge, 'type', 'bridge');
  await ip('addr', 'add', `${gateway}/${prefix}`, 'dev', bridge);
  await ip('link', 'set', bridge, 'up');
  return true;
}

/** A node's namespace: veth `host` on the bridge, its peer as eth0 with `address` inside. */
export async function addNodeNamespace(o: {
  netns: string;
  bridge: string;
  vethHost: string;
  address: string;
  prefix: number;
  /** Host routes via the gateway (e.g. the API server's own address, when it is not the bridge's). */
  routesVia?: { gateway: string; hosts: string[] };
}): Promise<void> {
  const peer = `${o.vethHost}p`.slice(0, 15);
  await ip('netns', 'add', o.netns);
  await ip('link', 'add', o.vethHost, 'type', 'veth', 'peer', 'name', peer);
  await ip('link', 'set', peer, 'netns', o.netns);
  await ip('link', 'set', o.vethHost, 'master', o.bridge, 'up');
  await ip('-n', o.netns, 'link', 'set', peer, 'name', 'eth0');
  await ip('-n', o.netns, 'addr', 'add', `${o.address}/${o.prefix}`, 'dev', 'eth0');
  await ip('-n', o.netns, 'link', 'set', 'eth0', 'up');
  await ip('-n', o.netns, 'link', 'set', 'lo', 'up');
  for (const h of o.routesVia?.hosts ?? [])
    await ip('-n', o.netns, 'route', 'add', `${h}/32`, 'via', o.routesVia!.gateway);
}

/** Deleting the namespace destroys its links, the veth pair with them. */
export async function deleteNodeNamespace(netns: string, vethHost: string): Promise<void> {
  if (await netnsExists(netns)) await ip('netns', 'del', netns);
  // The kernel takes a namespace's links down asynchronously: the veth may vanish under our feet.
  if (await linkExists(vethHost)) {
    await ip('link', 'del', vethHost).catch(async (err: unknown) => {
      if (await linkExists(vethHost)) throw err;
    });
  }
}

/** Pids of processes whose network namespace is the named one. */
export async function pidsInNamespace(netns: string): Promise<number[]> {
  try {
    return (await ip('netns', 'pids', netns))
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** Every descendant of the given processes (containers are children of shims started inside). */
export function descendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // The command name is in parentheses and may hold spaces: the ppid is the 2nd field after it.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // exited meanwhile
    }
  }
  const out = new Set<number>();
  const queue = [...roots];
  while (queue.length > 0) {
    const p = queue.pop()!;
    for (const c of children.get(p) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        queue.push(c);
      }
    }
  }
  return [...out];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function killAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      // gone
    }
  }
}

/** Mount points at or under dir, deepest first (for unmounting before removing it). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(prefix)))
    .map((m) => m.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
}

export async function unmount(path: string): Promise<void> {
  await run('umount', ['-l', path], { timeout: 30_000 }).catch(() => {});
}
