// Deletes stale UDP conntrack entries (see model/stale-udp.ts for which) with the conntrack tool.
import type { ConntrackFlush } from '../model/stale-udp.js';
import type { Exec } from './exec.js';

function args(f: ConntrackFlush): string[] {
  switch (f.kind) {
    case 'endpoint':
      return ['-D', '-p', 'udp', '--orig-dst', f.origDst, '--dst-nat', f.endpoint];
    case 'nodeport-endpoint':
      return ['-D', '-p', 'udp', '--orig-port-dst', String(f.nodePort), '--dst-nat', f.endpoint];
    case 'service':
      return ['-D', '-p', 'udp', '--orig-dst', f.origDst, '--orig-port-dst', String(f.port)];
  }
}

/**
 * Runs the deletions; "nothing matched" (exit 1) is the common case and no error, and a missing conntrack
 * tool only costs the cleanup (entries then expire by themselves), never the sync.
 */
export async function flushConntrack(exec: Exec, flushes: readonly ConntrackFlush[]): Promise<void> {
  for (const f of flushes) await exec('conntrack', args(f)).catch(() => undefined);
}
