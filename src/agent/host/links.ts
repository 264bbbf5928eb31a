// The host's links as `ip -j` reports them: bridges with their IPv4 addresses, the ports of a bridge, and
// deleting a link. Used to keep agents' pod networks apart and by killall.
import { execFileSync } from 'node:child_process';
import type { BridgeAddress } from './cidr-overlap.js';

interface IpLink {
  ifname?: string;
  master?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

function ipJson(args: string[]): IpLink[] {
  try {
    return JSON.parse(
      execFileSync('ip', ['-j', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) || '[]',
    );
  } catch {
    return [];
  }
}

/** IPv4 addresses of every bridge on the machine (one entry per address). */
export function bridgeAddresses(): BridgeAddress[] {
  return ipJson(['-4', 'addr', 'show', 'type', 'bridge']).flatMap((l) =>
    l.ifname
      ? (l.addr_info ?? [])
          .filter((a) => a.family === 'inet' && a.local)
          .map((a) => ({ bridge: l.ifname!, cidr: `${a.local}/${a.prefixlen ?? 32}` }))
      : [],
  );
}

export function linkExists(name: string): boolean {
  return ipJson(['link', 'show', 'dev', name]).some((l) => l.ifname === name);
}

/** Interfaces enslaved to a bridge (the pods' veth host ends). */
export function bridgePortNames(bridge: string): string[] {
  return ipJson(['link', 'show', 'master', bridge]).flatMap((l) => (l.ifname ? [l.ifname] : []));
}

/** Deletes a link; true when it existed. */
export function deleteLink(name: string): boolean {
  if (!linkExists(name)) return false;
  try {
    execFileSync('ip', ['link', 'del', 'dev', name], { stdio: 'ignore' });
  } catch {
    // gone meanwhile (a veth dies with its namespace)
  }
  return true;
}
