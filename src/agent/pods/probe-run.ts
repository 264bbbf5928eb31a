// Runs one probe or lifecycle handler: exec through the runtime, an HTTP GET to the pod IP, or a TCP connect.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ContainerRuntime } from '../runtime/index.js';
import type { Container, LifecycleHandler } from '../../core/types.js';

export interface ProbeOutcome {
  ok: boolean;
  /** Why it failed, for the Unhealthy event. */
  output: string;
}

export interface ProbeTarget {
  runtime: ContainerRuntime;
  containerId: string;
  container: Container;
  /** Address HTTP and TCP probes go to (the pod IP, or the node's for host-network pods). */
  host: string;
}

function resolvePort(port: number | string, c: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = c.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`port ${JSON.stringify(port)} not found in container ${c.name}`);
  return named.containerPort;
}

/** Runs a lifecycle handler, or a probe's (a Probe is the same actions plus timing and thresholds). */
export async function runHandler(
  h: LifecycleHandler,
  target: ProbeTarget,
  timeoutSeconds: number,
): Promise<ProbeOutcome> {
  try {
    if (h.exec) {
      const r = await target.runtime.execSync(target.containerId, h.exec.command ?? [], timeoutSeconds);
      const output = (r.stdout.toString() + r.stderr.toString()).trim();
      return r.exitCode === 0 ? { ok: true, output } : { ok: false, output: output || `command exited ${r.exitCode}` };
    }
    if (h.httpGet) return await httpProbe(h.httpGet, target, timeoutSeconds);
    if (h.tcpSocket) {
      const port = resolvePort(h.tcpSocket.port, target.container);
      return await tcpProbe(h.tcpSocket.host || target.host, port, timeoutSeconds);
    }
    if (h.sleep) {
      await new Promise((r) => setTimeout(r, h.sleep!.seconds * 1000));
      return { ok: true, output: '' };
    }
    return { ok: false, output: 'no handler' };
  } catch (err) {
    return { ok: false, output: err instanceof Error ? err.message : String(err) };
  }
}

function httpProbe(get: NonNullable<LifecycleHandler['httpGet']>, target: ProbeTarget, timeoutSeconds: number) {
  const port = resolvePort(get.port, target.container);
  const host = get.host || target.host;
  const https = get.scheme === 'HTTPS';
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/1.32', connection: 'close' };
  for (const h of get.httpHeaders ?? []) headers[h.name] = h.value;
  const url = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${get.path ?? '/'}`;
  return new Promise<ProbeOutcome>((resolve) => {
    const send = https ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: 'GET', headers, timeout: timeoutSeconds * 1000, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(
          code >= 200 && code < 400
            ? { ok: true, output: '' }
            : { ok: false, output: `HTTP probe failed with statuscode: ${code}` },
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "${url}": context deadline exceeded`)));
    req.on('error', (e) => resolve({ ok: false, output: `Get "${url}": ${e.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutSeconds: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutSeconds * 1000);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, output: '' });
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, output: `dial tcp ${host}:${port}: ${e.message}` });
    });
  });
}
