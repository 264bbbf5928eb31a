// Reads the parts of a kubeconfig file the client needs: server, CA, bearer token or client
// certificate, and the context's namespace. Exec plugins and auth providers are not supported.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { isPlainObject } from '../core/json.js';

export interface ConnectionOptions {
  server: string;
  caPem?: string;
  token?: string;
  /** Client certificate authentication (kubeconfig client-certificate-data / client-key-data). */
  certPem?: string;
  keyPem?: string;
  insecure?: boolean;
  userAgent?: string;
}

export interface KubeconfigSelection {
  connection: ConnectionOptions;
  /** The context's namespace, 'default' when unset. */
  namespace: string;
  context: string;
}

type Named = { name: string; value: Record<string, unknown> };

function namedEntries(doc: Record<string, unknown>, listKey: string, innerKey: string): Named[] {
  const list = doc[listKey];
  if (!Array.isArray(list)) return [];
  const out: Named[] = [];
  for (const e of list) {
    if (isPlainObject(e) && typeof e['name'] === 'string' && isPlainObject(e[innerKey])) {
      out.push({ name: e['name'], value: e[innerKey] });
    }
  }
  return out;
}

function str(o: Record<string, unknown> | undefined, k: string): string | undefined {
  const v = o?.[k];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Inline base64 data wins over a file path; relative paths are relative to the kubeconfig file. */
function dataOrFile(o: Record<string, unknown> | undefined, dataKey: string, fileKey: string, baseDir: string) {
  const data = str(o, dataKey);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = str(o, fileKey);
  if (file) return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8');
  return undefined;
}

export function parseKubeconfig(text: string, baseDir: string, contextName?: string): KubeconfigSelection {
  const doc: unknown = parse(text);
  if (!isPlainObject(doc)) throw new Error('kubeconfig: not a mapping');
  const ctxName = contextName ?? str(doc, 'current-context');
  const contexts = namedEntries(doc, 'contexts', 'context');
  const ctx = ctxName ? contexts.find((c) => c.name === ctxName) : contexts[0];
  if (!ctx) throw new Error(`kubeconfig: context ${ctxName ?? '(none)'} not found`);
  const clusterName = str(ctx.value, 'cluster');
  const cluster = namedEntries(doc, 'clusters', 'cluster').find((c) => c.name === clusterName)?.value;
  if (!cluster) throw new Error(`kubeconfig: cluster ${clusterName ?? '(none)'} not found`);
  const userName = str(ctx.value, 'user');
  const user = namedEntries(doc, 'users', 'user').find((u) => u.name === userName)?.value;
  const server = str(cluster, 'server');
  if (!server) throw new Error(`kubeconfig: cluster ${clusterName} has no server`);

  const connection: ConnectionOptions = { server };
  const caPem = dataOrFile(cluster, 'certificate-authority-data', 'certificate-authority', baseDir);
  if (caPem) connection.caPem = caPem;
  if (cluster['insecure-skip-tls-verify'] === true) connection.insecure = true;
  const tokenFile = str(user, 'tokenFile');
  const token =
    str(user, 'token') ?? (tokenFile ? readFileSync(resolve(baseDir, tokenFile), 'utf8').trim() : undefined);
  if (token) connection.token = token;
  const certPem = dataOrFile(user, 'client-certificate-data', 'client-certificate', baseDir);
  const keyPem = dataOrFile(user, 'client-key-data', 'client-key', baseDir);
  if (certPem && keyPem) {
    connection.certPem = certPem;
    connection.keyPem = keyPem;
  }
  return { connection, namespace: str(ctx.value, 'namespace') ?? 'default', context: ctx.name };
}

export function loadKubeconfig(path: string, contextName?: string): KubeconfigSelection {
  return parseKubeconfig(readFileSync(path, 'utf8'), dirname(resolve(path)), contextName);
}
