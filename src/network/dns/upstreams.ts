// The node's resolvers: the `nameserver` lines of a resolv.conf, as the forwarder's default upstreams
// (CoreDNS `forward . /etc/resolv.conf`).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseResolvConf } from '../../core/resolv-conf.js';
import type { Upstream } from './forwarder.js';
import { canonicalIp } from './names.js';

/** The nameservers of a resolv.conf text that are IP addresses (a scope id such as %eth0 dropped). */
export function upstreamsFromResolvConf(text: string, port = 53): Upstream[] {
  return parseResolvConf(text)
    .servers.map((ns) => ns.split('%')[0]!)
    .filter((ns) => isIP(ns) !== 0)
    .map((host) => ({ host: canonicalIp(host), port }));
}

export function readUpstreams(path = '/etc/resolv.conf'): Upstream[] {
  try {
    return upstreamsFromResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}
