// The pod network's kernel adapter: brings the node's routes, vxlan device, neighbour and fdb entries and
// the `ip tutti-podnet` table to a plan by difference (what is ours and not planned goes, what is planned
// is replaced in place), so a restarted agent never drops traffic that the plan still wants. "Ours" is:
// routes with routing protocol 117, the vxlan device by name, and our own nft table. Nothing else is read
// or written.
import type { Exec } from '../proxy/adapter/exec.js';
import type { LocalLink, PodNetPlan, Route } from './plan.js';

/** `proto` of the routes the pod network adds (the service proxy uses 116). */
export const ROUTE_PROTO = '117';
export const TABLE = 'tutti-podnet';
export const FAMILY = 'ip';

interface RouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
  flags?: string[];
}
interface AddrJson {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}
interface LinkJson {
  ifname?: string;
  address?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; local?: string; port?: number } };
}
interface NeighJson {
  dst?: string;
  lladdr?: string;
}
interface FdbJson {
  mac?: string;
  dst?: string;
}

async function run(exec: Exec, cmd: string, args: string[], input?: string): Promise<string> {
  const r = await exec(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function json<T>(text: string): T[] {
  return text.trim() ? (JSON.parse(text) as T[]) : [];
}

/** This node's IPv4 addresses with their prefixes, devices of our own left out. */
export async function localLinks(exec: Exec, ignore: readonly string[]): Promise<LocalLink[]> {
  const addrs = json<AddrJson>(await run(exec, 'ip', ['-j', '-4', 'addr', 'show']));
  return addrs.flatMap((a) =>
    !a.ifname || ignore.includes(a.ifname) || a.ifname === 'lo'
      ? []
      : (a.addr_info ?? [])
          .filter((i) => i.family === 'inet' && i.local)
          .map((i) => ({ dev: a.ifname!, cidr: `${i.local}/${i.prefixlen}` })),
  );
}

export function nftScript(plan: PodNetPlan, masquerade: boolean): string {
  const set = plan.podCidrs.length ? `elements = { ${plan.podCidrs.join(', ')} }` : '';
  const services = plan.serviceCidrs ?? [];
  const notServices = services.length ? ` ip daddr != { ${services.join(', ')} }` : '';
  // Declare, flush and fill in one transaction: the kernel swaps it in atomically, no packet sees a gap.
  return [
    `table ${FAMILY} ${TABLE} {}`,
    `flush table ${FAMILY} ${TABLE}`,
    `table ${FAMILY} ${TABLE} {`,
    '  set pod-cidrs {',
    '    type ipv4_addr; flags interval;',
    set ? `    ${set}` : '',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    // Pod to pod (any node) keeps its source; pod to anything else leaves with the node's address. A pod to a
    // ClusterIP is seen here after the proxy's DNAT (daddr = the endpoint), so pod → Service → pod keeps it too;
    // a ClusterIP nothing translated is not rewritten either.
    masquerade ? `    ip saddr @pod-cidrs ip daddr != @pod-cidrs${notServices} ip daddr != 224.0.0.0/4 masquerade` : '',
    '  }',
    '}',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function routeArgs(r: Route): string[] {
  const a = ['route', 'replace', r.dst, 'via', r.via, 'dev', r.dev, 'proto', ROUTE_PROTO];
  if (r.onlink) a.push('onlink');
  return a;
}

function sameRoute(have: RouteJson, want: Route): boolean {
  return have.gateway === want.via && have.dev === want.dev && !!have.flags?.includes('onlink') === !!want.onlink;
}

/** Brings the kernel to the plan; `device` is our vxlan device's name (removed when the plan has none). */
export async function applyPlan(exec: Exec, plan: PodNetPlan, opts: { masquerade: boolean; device: string }) {
  // 1. The vxlan device (routes onto it need it first); recreated only when its identity changed.
  const vx = plan.vxlan;
  const links = json<LinkJson>((await exec('ip', ['-d', '-j', 'link', 'show', opts.device])).stdout);
  const have = links[0];
  if (vx) {
    const d = have?.linkinfo?.info_data;
    const same =
      have?.linkinfo?.info_kind === 'vxlan' && d?.id === vx.vni && d?.local === vx.localIp && d?.port === vx.port;
    if (have && !same) await run(exec, 'ip', ['link', 'del', vx.device]);
    if (!same) {
      // On the link holding the node address, the kernel sizes the MTU to it minus the 50 bytes of
      // encapsulation; without one, 1450 as for a 1500-byte link.
      const addrs = json<AddrJson>(await run(exec, 'ip', ['-j', '-4', 'addr', 'show']));
      const lower = addrs.find((a) => a.addr_info?.some((i) => i.local === vx.localIp))?.ifname;
      const add = ['link', 'add', vx.device, 'type', 'vxlan', 'id', String(vx.vni), 'local', vx.localIp];
      const placement = lower && lower !== 'lo' ? ['dev', lower] : [];
      await run(exec, 'ip', [...add, ...placement, 'dstport', String(vx.port), 'nolearning']);
      if (placement.length === 0) await run(exec, 'ip', ['link', 'set', vx.device, 'mtu', '1450']);
    }
    if (have?.address !== vx.mac) await run(exec, 'ip', ['link', 'set', vx.device, 'address', vx.mac]);
    await run(exec, 'ip', ['addr', 'replace', `${vx.address}/32`, 'dev', vx.device]);
    await run(exec, 'ip', ['link', 'set', vx.device, 'up']);
  }
  // 2. Neighbour and fdb entries on the vxlan device, before the routes that need them.
  if (vx) {
    const neigh = json<NeighJson>(await run(exec, 'ip', ['-j', 'neigh', 'show', 'dev', vx.device]));
    for (const n of plan.neigh) {
      if (!neigh.some((h) => h.dst === n.ip && h.lladdr === n.mac)) {
        await run(exec, 'ip', ['neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', n.dev, 'nud', 'permanent']);
      }
    }
    for (const h of neigh) {
      if (h.dst && !plan.neigh.some((n) => n.ip === h.dst)) await exec('ip', ['neigh', 'del', h.dst, 'dev', vx.device]);
    }
    const fdb = json<FdbJson>(await run(exec, 'bridge', ['-j', 'fdb', 'show', 'dev', vx.device]));
    for (const f of plan.fdb) {
      if (!fdb.some((h) => h.mac === f.mac && h.dst === f.dst)) {
        await run(exec, 'bridge', ['fdb', 'replace', f.mac, 'dev', f.dev, 'dst', f.dst, 'self', 'permanent']);
      }
    }
    for (const h of fdb) {
      if (h.dst && h.mac && !plan.fdb.some((f) => f.mac === h.mac && f.dst === h.dst)) {
        await exec('bridge', ['fdb', 'del', h.mac, 'dev', vx.device, 'dst', h.dst, 'self']);
      }
    }
  }
  // 3. Routes: replace the planned ones that differ, delete ours that the plan no longer has.
  const routes = json<RouteJson>(await run(exec, 'ip', ['-j', 'route', 'show', 'proto', ROUTE_PROTO]));
  const byDst = new Map(routes.map((r) => [r.dst ?? '', r]));
  for (const r of plan.routes) {
    const cur = byDst.get(r.dst);
    if (!cur || !sameRoute(cur, r)) await run(exec, 'ip', routeArgs(r));
  }
  const wanted = new Set(plan.routes.map((r) => r.dst));
  for (const r of routes) {
    if (r.dst && !wanted.has(r.dst)) await exec('ip', ['route', 'del', r.dst, 'proto', ROUTE_PROTO]);
  }
  if (!vx && have) await exec('ip', ['link', 'del', opts.device]);
  // 4. Masquerade table, one atomic transaction.
  await run(exec, 'nft', ['-f', '-'], nftScript(plan, opts.masquerade));
}

/** Removes the routes and the vxlan device of the pod network (what carries pod traffic between nodes). */
export async function removeRoutes(exec: Exec, device: string): Promise<void> {
  const routes = json<RouteJson>((await exec('ip', ['-j', 'route', 'show', 'proto', ROUTE_PROTO])).stdout || '[]');
  for (const r of routes) if (r.dst) await exec('ip', ['route', 'del', r.dst, 'proto', ROUTE_PROTO]);
  await exec('ip', ['link', 'del', device]);
}

export async function removeTable(exec: Exec): Promise<void> {
  await exec('nft', ['delete', 'table', FAMILY, TABLE]);
}

/** Removes everything the pod network adds: its routes, its vxlan device, its table. */
export async function removeAll(exec: Exec, device: string): Promise<void> {
  await removeRoutes(exec, device);
  await removeTable(exec);
}
