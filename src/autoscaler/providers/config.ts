// Providers described as plain data (what a flag file or the controller manager's options can carry
// into a worker thread), and the providers made from them with the controller's API client. Commands
// and host plumbing are configured here, on the server side, never in the cluster's ConfigMap: whoever
// may edit a ConfigMap in kube-system should not thereby run commands as the controller manager.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ApiClient } from '../../client/index.js';
import { ExecProvider } from './exec.js';
import { LocalProvider } from './local.js';
import type { NodeProvider } from './provider.js';
import { SimulatedProvider } from './simulated.js';

export type ProviderConfig =
  | {
      type: 'simulated';
      bootMs?: number;
      podStartMs?: number;
      leaseRenewMs?: number;
      statusUpdateMs?: number;
    }
  | {
      type: 'exec';
      create: string[];
      delete: string[];
      list?: string[];
      env?: Record<string, string>;
      timeoutSeconds?: number;
      cwd?: string;
    }
  | {
      type: 'local';
      subnet: string;
      bridge: string;
      dataRoot: string;
      /** The join token, or a file holding it (`<server data dir>/node-token`). */
      token?: string;
      tokenFile?: string;
      serverPort?: number;
      server?: string;
      netnsPrefix?: string;
      agentArgs?: string[];
    };

export function isProviderConfig(v: unknown): v is ProviderConfig {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

export function providerFromConfig(c: ProviderConfig, client: ApiClient): NodeProvider {
  switch (c.type) {
    case 'simulated':
      return new SimulatedProvider({ client, ...c });
    case 'exec':
      return new ExecProvider({
        ...c,
        timeoutMs: c.timeoutSeconds === undefined ? undefined : c.timeoutSeconds * 1000,
      });
    case 'local': {
      const token = c.token ?? (c.tokenFile ? readFileSync(c.tokenFile, 'utf8').trim() : undefined);
      if (!token) throw new Error('local provider needs token or tokenFile');
      return new LocalProvider({ client, token, ...c });
    }
    default:
      throw new Error(`unknown provider type ${JSON.stringify((c as { type: unknown }).type)}`);
  }
}

/** `providers:` of a YAML file, by name (for a `--autoscaler-config FILE` flag). */
export function readProvidersFile(path: string): Record<string, ProviderConfig> {
  const doc = parseYaml(readFileSync(path, 'utf8')) as { providers?: Record<string, unknown> } | null;
  const out: Record<string, ProviderConfig> = {};
  for (const [name, v] of Object.entries(doc?.providers ?? {})) {
    if (!isProviderConfig(v)) throw new Error(`${path}: provider ${name} needs a type`);
    if (!['simulated', 'exec', 'local'].includes(v.type)) {
      throw new Error(`${path}: provider ${name}: type must be simulated, exec or local`);
    }
    out[name] = v;
  }
  return out;
}
