// NetworkPolicy verdicts as one nftables table, `inet tutti-policy`, written whole in one transaction
// (declare, delete, define: the kernel swaps it atomically). Per isolated pod IP a chain; two verdict
// maps send a forwarded packet from/to such an IP into its chain:
//   forward (filter): established/related accept → ip saddr vmap @egress-pods → ip daddr vmap @ingress-pods
//   egress-N:  to itself return · allowed destinations return · drop
//   ingress-N: from itself accept · allowed sources accept · drop
// Only forwarded packets are filtered: a pod's traffic to and from its own node (probes, the node's DNS)
// passes, as in most upstream implementations.
import { coveringCidrs } from '../podnet/plan.js';
import type { AllowRule, PodVerdict, PortRange } from './compute.js';

export const FAMILY = 'inet';
export const TABLE = 'tutti-policy';

function portSet(ranges: readonly PortRange[]): string[] {
  const byProto = new Map<string, string[]>();
  for (const r of ranges) {
    const list = byProto.get(r.protocol) ?? [];
    list.push(r.from === r.to ? String(r.from) : `${r.from}-${r.to}`);
    byProto.set(r.protocol, list);
  }
  return [...byProto].map(([proto, ports]) => {
    const all = ports.length === 1 && ports[0] === '1-65535';
    const l4 = `meta l4proto ${proto.toLowerCase()}`;
    return all ? l4 : `${l4} th dport { ${ports.join(', ')} }`;
  });
}

function addrMatch(rule: AllowRule, dir: 'saddr' | 'daddr'): string[] | undefined {
  const p = rule.peer;
  if (!p) return [''];
  if (p.kind === 'ips') return p.ips.length ? [`ip ${dir} { ${p.ips.join(', ')} }`] : undefined;
  const except = coveringCidrs(p.except);
  return [`ip ${dir} ${p.cidr}${except.length ? ` ip ${dir} != { ${except.join(', ')} }` : ''}`];
}

function ruleLines(rule: AllowRule, dir: 'saddr' | 'daddr', verdict: string): string[] {
  const addr = addrMatch(rule, dir);
  if (!addr) return [];
  const ports = rule.ports ? portSet(rule.ports) : [''];
  return addr.flatMap((a) => ports.map((p) => `${[a, p].filter(Boolean).join(' ')} ${verdict}`.trim()));
}

function chain(name: string, comment: string, lines: string[]): string {
  return [`  chain ${name} {`, `    comment ${JSON.stringify(comment)}`, ...lines.map((l) => `    ${l}`), '  }'].join(
    '\n',
  );
}

/** The whole table for these verdicts, as one `nft -f` transaction. */
export function policyScript(verdicts: readonly PodVerdict[]): string {
  const chains: string[] = [];
  const ingress: string[] = [];
  const egress: string[] = [];
  verdicts.forEach((v, i) => {
    if (v.ingress) {
      const lines = [`ip saddr ${v.ip} accept`, ...v.ingress.flatMap((r) => ruleLines(r, 'saddr', 'accept')), 'drop'];
      chains.push(chain(`ingress-${i}`, `${v.pod} ingress`, lines));
      ingress.push(`${v.ip} : jump ingress-${i}`);
    }
    if (v.egress) {
      const lines = [`ip daddr ${v.ip} return`, ...v.egress.flatMap((r) => ruleLines(r, 'daddr', 'return')), 'drop'];
      chains.push(chain(`egress-${i}`, `${v.pod} egress`, lines));
      egress.push(`${v.ip} : jump egress-${i}`);
    }
  });
  const map = (name: string, elements: string[]) =>
    [
      `  map ${name} {`,
      '    type ipv4_addr : verdict',
      ...(elements.length ? [`    elements = { ${elements.join(', ')} }`] : []),
      '  }',
    ].join('\n');
  return [
    `table ${FAMILY} ${TABLE} {}`,
    `delete table ${FAMILY} ${TABLE}`,
    `table ${FAMILY} ${TABLE} {`,
    ...chains,
    map('ingress-pods', ingress),
    map('egress-pods', egress),
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    '    ct state established,related accept',
    '    ip saddr vmap @egress-pods',
    '    ip daddr vmap @ingress-pods',
    '  }',
    '}',
    '',
  ].join('\n');
}

export function deleteScript(): string {
  return `table ${FAMILY} ${TABLE} {}\ndelete table ${FAMILY} ${TABLE}\n`;
}
