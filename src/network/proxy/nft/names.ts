// Names of the proxy's nftables objects. Per-service chains carry a short hash and the readable
// service-port name (`external-1A2B3C4D-ns/name/tcp/http`), as upstream does, so that `nft list` shows
// what a chain is for and two similar names still differ at a glance.
import { createHash } from 'node:crypto';
import type { Backend, Protocol, ServicePortName } from '../model/types.js';

/** The only table the proxy ever touches. */
export const TABLE = 'tutti-proxy';
export const FAMILY = 'ip';
export const TABLE_REF = `${FAMILY} ${TABLE}`;

// nft names are at most 255 characters; prefixes below are at most 16.
const BASE_MAX = 240;

function hashAndTruncate(name: string): string {
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8).toUpperCase();
  const full = `${hash}-${name}`;
  return full.length > BASE_MAX ? `${full.slice(0, BASE_MAX - 3)}...` : full;
}

/** `HASH-namespace/name/protocol/portName`: namespace, name and port names are safe in nft names. */
export function servicePortBase(id: ServicePortName): string {
  return hashAndTruncate(`${id.namespace}/${id.name}/${id.protocol}/${id.port}`);
}

/** `HASH-namespace/name/protocol/portName__ip/port` */
export function endpointBase(id: ServicePortName, ep: Backend): string {
  return hashAndTruncate(`${id.namespace}/${id.name}/${id.protocol}/${id.port}__${ep.ip}/${ep.port}`);
}

export type Policy = 'cluster' | 'local';

/** Shared chain that DNATs to one of `n` endpoints of the packet's own address and port. */
export function pickChain(policy: Policy, protocol: Protocol, n: number): string {
  return `pick-${policy}-${protocol}-${n}`;
}

/** Shared chain that DNATs to one of `n` endpoints of the packet's NodePort. */
export function pickNodePortChain(policy: Policy, protocol: Protocol, n: number): string {
  return `pick-nodeport-${policy}-${protocol}-${n}`;
}

/** Endpoint maps are per protocol: nft ties a port's type to its protocol (`tcp dport`). */
export const endpointsMap = (policy: Policy, protocol: Protocol) => `${policy}-endpoints-${protocol}`;
export const nodePortEndpointsMap = (policy: Policy, protocol: Protocol) => `nodeport-${policy}-endpoints-${protocol}`;
