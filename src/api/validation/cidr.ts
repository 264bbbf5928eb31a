// CIDR parsing for validation (netutils.ParseCIDRSloppy): address as a big integer, family and prefix length.
import { isIPv4, isIPv6 } from '../../core/names.js';

export interface Cidr {
  bits: 32 | 128;
  prefix: number;
  /** The network address (host bits cleared). */
  network: bigint;
}

function ipv4ToBig(ip: string): bigint {
  return ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBig(ip: string): bigint {
  let text = ip;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4ToBig(text.slice(lastColon + 1));
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = rest === undefined ? [] : groups(rest);
  const fill = 8 - h.length - t.length;
  const all = [...h, ...Array(rest === undefined ? 0 : fill).fill('0'), ...t].map((g) => BigInt(`0x${g}`));
  if (tail.length) all.splice(6, 2, ...tail);
  return all.reduce((n, g) => (n << 16n) | g, 0n);
}

export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = s.slice(0, slash);
  const len = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return undefined;
  const prefix = Number(len);
  let bits: 32 | 128;
  let value: bigint;
  if (isIPv4(ip)) {
    bits = 32;
    value = ipv4ToBig(ip);
  } else if (isIPv6(ip)) {
    bits = 128;
    value = ipv6ToBig(ip);
  } else return undefined;
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  return { bits, prefix, network: (value >> hostBits) << hostBits };
}

/** Whether `inner` lies inside `outer` and is strictly smaller. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  if (inner.bits !== outer.bits || inner.prefix <= outer.prefix) return false;
  const hostBits = BigInt(outer.bits - outer.prefix);
  return (inner.network >> hostBits) << hostBits === outer.network;
}
