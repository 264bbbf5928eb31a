// Which conntrack entries a change leaves pointing at the wrong place (UDP only; TCP ends by itself), as
// upstream's conntrack cleanup decides: entries to removed endpoints, and entries of a service port that
// had no endpoint before (made while it was rejecting).
import type { ServicePortState } from './types.js';

export type ConntrackFlush =
  /** UDP entries to `origDst` that were DNATed to `endpoint`. */
  | { kind: 'endpoint'; origDst: string; endpoint: string }
  /** UDP entries to the NodePort that were DNATed to `endpoint`. */
  | { kind: 'nodeport-endpoint'; nodePort: number; endpoint: string }
  /** Every UDP entry to `origDst:port`. */
  | { kind: 'service'; origDst: string; port: number };

function addresses(sp: ServicePortState): string[] {
  return [sp.clusterIP, ...sp.externalIPs, ...sp.loadBalancerIPs];
}

function endpointIPs(sp: ServicePortState | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of [...(sp?.clusterEndpoints ?? []), ...(sp?.localEndpoints ?? [])]) m.set(`${e.ip}:${e.port}`, e.ip);
  return m;
}

export function staleUdpEntries(
  before: ServicePortState | undefined,
  after: ServicePortState | undefined,
): ConntrackFlush[] {
  const sp = before ?? after;
  if (!sp || sp.protocol !== 'udp') return [];
  const out: ConntrackFlush[] = [];
  if (before) {
    const now = endpointIPs(after);
    for (const [id, ip] of endpointIPs(before)) {
      if (now.has(id)) continue;
      for (const a of addresses(before)) out.push({ kind: 'endpoint', origDst: a, endpoint: ip });
      if (before.nodePort) out.push({ kind: 'nodeport-endpoint', nodePort: before.nodePort, endpoint: ip });
    }
  }
  if (after?.hasEndpoints && !before?.hasEndpoints) {
    for (const a of addresses(after)) out.push({ kind: 'service', origDst: a, port: after.port });
  }
  return out;
}
