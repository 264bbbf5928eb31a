// The InternalIP each simulated node advertises. The API server's node proxy dials a node's InternalIP for
// pods/log, exec and port-forward; simulated nodes have no agent endpoint, so their addresses must lead
// nowhere on this machine rather than somewhere on a network (172.16.0.0/12 is routed off the host and a
// dial there hangs until it times out). Loopback, where nothing listens on most of 127.0.0.0/8, refuses
// the connection at once.

/** Distinct addresses available: 127.A.B.C with A in 1..254, B in 0..255, C in 1..254. */
export const SIMULATED_NODE_IP_CAPACITY = 254 * 256 * 254;

/**
 * Loopback address of simulated node `index` (0-based): distinct per index, never 127.0.0.x (so never
 * 127.0.0.1, where a real agent or the server may listen), never 127.255.x.x, never a .0 or .255 host part.
 */
export function simulatedNodeIP(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= SIMULATED_NODE_IP_CAPACITY) {
    throw new RangeError(`no loopback address for simulated node ${index} (0..${SIMULATED_NODE_IP_CAPACITY - 1})`);
  }
  const c = 1 + (index % 254);
  const b = Math.floor(index / 254) % 256;
  const a = 1 + Math.floor(index / (254 * 256));
  return `127.${a}.${b}.${c}`;
}
