// Client-side rate limits of each component's API client, as the upstream binaries' `--kube-api-qps` and
// `--kube-api-burst` (kube-controller-manager, kube-scheduler, kubelet). `tutti server` runs several components,
// so its flags carry the component's name; `tutti agent` has the kubelet's own names.
import { type FlagSpec, type ParsedArgs, UsageError, numberFlag } from './flags.js';

export interface ApiRate {
  qps: number;
  burst: number;
}

/**
 * Defaults: upstream's kubelet (50/100); the controller manager and the scheduler well above upstream's 20/30 and
 * 50/100, because Tutti's goal is 1,000 pods/s from one Deployment, and each pod costs the controller a create and
 * the scheduler a bind and a status write. The limit is there to stop a runaway component, not to pace a normal one.
 */
export const API_RATE_DEFAULTS = {
  'controller-manager': { qps: 1000, burst: 2000 },
  scheduler: { qps: 2000, burst: 4000 },
  agent: { qps: 50, burst: 100 },
} as const satisfies Record<string, ApiRate>;

export type RatedComponent = keyof typeof API_RATE_DEFAULTS;

function flagNames(component: RatedComponent, prefixed: boolean): { qps: string; burst: string } {
  const p = prefixed ? `${component}-` : '';
  return { qps: `${p}kube-api-qps`, burst: `${p}kube-api-burst` };
}

export function apiRateFlags(components: readonly RatedComponent[], prefixed: boolean): FlagSpec {
  const spec: Record<string, 'number'> = {};
  for (const c of components) {
    const n = flagNames(c, prefixed);
    spec[n.qps] = 'number';
    spec[n.burst] = 'number';
  }
  return spec;
}

/** A help line, the text on the next line when the flag is too long for the column, as the other flags do. */
function line(flag: string, text: string): string {
  const head = `  ${flag}`;
  return head.length < 30 ? head.padEnd(31) + text : `${head}\n${' '.repeat(31)}${text}`;
}

export function apiRateHelp(components: readonly RatedComponent[], prefixed: boolean): string {
  return components
    .map((c) => {
      const n = flagNames(c, prefixed);
      const d = API_RATE_DEFAULTS[c];
      return [
        line(`--${n.qps} N`, `requests/s of the ${c}'s API client (default ${d.qps}; 0: no limit)`),
        line(`--${n.burst} N`, `requests it may send at once (default ${d.burst})`),
      ].join('\n');
    })
    .join('\n');
}

/** The component's limits from the flags; a negative qps or a burst below 1 is a usage error. */
export function apiRateFromFlags(args: ParsedArgs, component: RatedComponent, prefixed: boolean): ApiRate {
  const n = flagNames(component, prefixed);
  const d = API_RATE_DEFAULTS[component];
  const qps = numberFlag(args, n.qps, d.qps);
  const burst = numberFlag(args, n.burst, d.burst);
  if (!(qps >= 0)) throw new UsageError(`--${n.qps} must be 0 or more, got ${qps}`);
  if (!(burst >= 1) || !Number.isInteger(burst))
    throw new UsageError(`--${n.burst} must be a whole number of at least 1, got ${burst}`);
  return { qps, burst };
}
