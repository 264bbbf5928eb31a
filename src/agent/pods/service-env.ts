// The Service environment variables a container gets (upstream kubelet getServiceEnvVarMap + envvars.FromServices):
// docker-link style variables for every Service of the pod's namespace that has a cluster IP, plus the master
// services of `default` (`kubernetes`), which pods always get, even with enableServiceLinks: false. Pure.
import type { Service } from '../../core/types.js';

const MASTER_SERVICES = new Set(['kubernetes']);
const DEFAULT_NAMESPACE = 'default';

function isServiceIPSet(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function envName(s: string): string {
  return s.toUpperCase().replaceAll('-', '_');
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** envvars.FromServices for one Service, in upstream's order. */
function serviceVars(s: Service): [string, string][] {
  const ports = s.spec?.ports ?? [];
  const ip = s.spec!.clusterIP!;
  const prefix = envName(s.metadata.name ?? '');
  const out: [string, string][] = [[`${prefix}_SERVICE_HOST`, ip]];
  if (ports.length === 0) return out;
  const portVar = `${prefix}_SERVICE_PORT`;
  out.push([portVar, String(ports[0]!.port)]);
  for (const p of ports) if (p.name) out.push([`${portVar}_${envName(p.name)}`, String(p.port)]);
  ports.forEach((p, i) => {
    const protocol = p.protocol || 'TCP';
    const url = `${protocol.toLowerCase()}://${joinHostPort(ip, p.port)}`;
    // Docker special-cases the first port.
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const pp = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
    out.push([pp, url], [`${pp}_PROTO`, protocol.toLowerCase()], [`${pp}_PORT`, String(p.port)], [`${pp}_ADDR`, ip]);
  });
  return out;
}

/**
 * Service variables for a pod in `namespace`, from every Service the agent knows. A Service of the pod's own
 * namespace replaces a master service of the same name, as upstream's map does when it is listed later.
 */
export function serviceEnvVars(
  services: readonly Service[],
  namespace: string,
  enableServiceLinks: boolean,
): Map<string, string> {
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (!isServiceIPSet(s)) continue;
    const name = s.metadata.name ?? '';
    if (s.metadata.namespace === DEFAULT_NAMESPACE && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (s.metadata.namespace === namespace && enableServiceLinks) {
      chosen.set(name, s);
    }
  }
  const env = new Map<string, string>();
  for (const s of chosen.values()) for (const [k, v] of serviceVars(s)) env.set(k, v);
  return env;
}
