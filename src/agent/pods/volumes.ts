// Materialises a pod's volumes under the agent's data dir (<podDir>/volumes/<name>) so containers can mount
// them: emptyDir as a directory, configMap/secret/downwardAPI/projected as files in the AtomicWriter layout
// (refreshed in place while the pod runs), hostPath as itself, persistentVolumeClaim as its bound volume. A
// volume is never replaced by another kind: a claim that cannot be resolved stops the pod from starting.
import { chmodSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Mount } from '../runtime/index.js';
import type { Container, corev1, KeyToPath, Volume } from '../../core/types.js';
import type { BoundPod } from '../types.js';
import { type FileEntry, PayloadError, writeAtomically } from './atomic-writer.js';
import { type ClaimSource, resolveClaim, VolumeNotReadyError } from './claims.js';
import {
  type ConfigSource,
  ContainerConfigError,
  formatMap,
  type NodeFacts,
  podFieldValue,
  resourceFieldValue,
} from './env.js';

export class VolumeError extends Error {
  override readonly name = 'VolumeError';
}

/** Bound ServiceAccount tokens for projected `serviceAccountToken` sources (TokenRequest through the API). */
export interface TokenSource {
  serviceAccountToken(pod: BoundPod, audience: string | undefined, expirationSeconds: number): Promise<string>;
}

/** What volumes read from the API: ConfigMaps and Secrets, claims and their volumes, ServiceAccount tokens. */
export type VolumeSource = ConfigSource & ClaimSource & Partial<TokenSource>;

function safeRelative(p: string): string {
  const n = normalize(p);
  if (n.startsWith('..') || n.startsWith('/')) throw new VolumeError(`invalid path ${JSON.stringify(p)}`);
  return n;
}

function keyedFiles(data: Record<string, Buffer>, items: KeyToPath[] | undefined, what: string): FileEntry[] {
  if (!items?.length) return Object.entries(data).map(([k, v]) => ({ path: k, content: v }));
  return items.map((it) => {
    const v = data[it.key];
    if (v === undefined) throw new VolumeError(`${what}: key ${it.key} not found`);
    return { path: it.path, content: v, mode: it.mode };
  });
}

function downwardFiles(
  pod: BoundPod,
  items: corev1.DownwardAPIVolumeFile[] | undefined,
  facts: NodeFacts,
): FileEntry[] {
  return (items ?? []).map((it) => {
    let value = '';
    if (it.fieldRef) {
      const v =
        it.fieldRef.fieldPath === 'metadata.labels'
          ? formatMap(pod.metadata.labels)
          : it.fieldRef.fieldPath === 'metadata.annotations'
            ? formatMap(pod.metadata.annotations)
            : podFieldValue(pod, it.fieldRef.fieldPath, facts);
      if (v === undefined) throw new VolumeError(`unsupported fieldPath ${it.fieldRef.fieldPath}`);
      value = v;
    } else if (it.resourceFieldRef) {
      value = resourceFieldValue(pod, undefined, it.resourceFieldRef, facts);
    }
    return { path: it.path, content: Buffer.from(value), mode: it.mode };
  });
}

/** A reference without a name finds nothing (the message names it "undefined", as it always did). */
async function configMapData(source: ConfigSource, ns: string, name: string | undefined, optional?: boolean) {
  const cm = name ? await source.configMap(ns, name) : undefined;
  if (!cm) {
    if (optional) return {};
    throw new VolumeError(`configmap "${name}" not found`);
  }
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

async function secretData(source: ConfigSource, ns: string, name: string | undefined, optional?: boolean) {
  const s = name ? await source.secret(ns, name) : undefined;
  if (!s) {
    if (optional) return {};
    throw new VolumeError(`secret "${name}" not found`);
  }
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function writeFiles(dir: string, files: FileEntry[], defaultMode: number): void {
  try {
    writeAtomically(dir, files, defaultMode);
  } catch (err) {
    if (err instanceof PayloadError) throw new VolumeError(err.message);
    throw err;
  }
}

/** Volumes whose content comes from API objects or the pod itself, rewritten while the pod runs. */
export function isProjectedKind(v: Volume): boolean {
  return !!(v.configMap || v.secret || v.downwardAPI || v.projected);
}

export interface PrepareOptions {
  /** Rewrite only the configMap/secret/downwardAPI/projected volumes (the periodic refresh of a running pod). */
  refreshOnly?: boolean;
}

/**
 * Host path of each volume, keyed by volume name. Throws VolumeError (FailedMount: a missing source) or
 * VolumeNotReadyError (a claim not bound yet; every such volume is named in one error).
 */
export async function prepareVolumes(
  pod: BoundPod,
  podDir: string,
  source: VolumeSource,
  facts: NodeFacts,
  opts: PrepareOptions = {},
): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const paths = new Map<string, string>();
  const notReady: VolumeNotReadyError[] = [];
  // Claims first: until each is bound, nothing of the pod is set up.
  for (const v of pod.spec.volumes ?? []) {
    if (!v.persistentVolumeClaim || opts.refreshOnly) continue;
    try {
      const claim = await resolveClaim(source, ns, v.name, v.persistentVolumeClaim);
      paths.set(v.name, prepareHostPath(claim.path, claim.hostPathType));
    } catch (err) {
      if (!(err instanceof VolumeNotReadyError)) throw err;
      notReady.push(err);
    }
  }
  if (notReady.length > 0) throw new PodVolumesNotReady(notReady);
  for (const v of pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim || (opts.refreshOnly && !isProjectedKind(v))) continue;
    paths.set(v.name, await prepareVolume(v, pod, ns, join(podDir, 'volumes', v.name), source, facts));
  }
  return paths;
}

/** Every volume of the pod that waits for its claim. */
export class PodVolumesNotReady extends Error {
  override readonly name = 'PodVolumesNotReady';
  constructor(readonly volumes: VolumeNotReadyError[]) {
    super(volumes.map((v) => v.message).join('; '));
  }
}

function prepareHostPath(path: string, type: string | undefined): string {
  if (type === 'DirectoryOrCreate') mkdirSync(path, { recursive: true });
  else if (type === 'FileOrCreate' && !existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
  } else if ((type === 'Directory' || type === 'File') && !existsSync(path)) {
    throw new VolumeError(`hostPath ${path} does not exist`);
  }
  return path;
}

async function prepareVolume(
  v: Volume,
  pod: BoundPod,
  ns: string,
  dir: string,
  source: VolumeSource,
  facts: NodeFacts,
) {
  if (v.hostPath) return prepareHostPath(v.hostPath.path, v.hostPath.type ?? '');
  if (v.configMap) {
    const data = await configMapData(source, ns, v.configMap.name, v.configMap.optional);
    writeFiles(
      dir,
      keyedFiles(data, v.configMap.items, `configmap ${v.configMap.name}`),
      v.configMap.defaultMode ?? 0o644,
    );
  } else if (v.secret) {
    const data = await secretData(source, ns, v.secret.secretName, v.secret.optional);
    writeFiles(dir, keyedFiles(data, v.secret.items, `secret ${v.secret.secretName}`), v.secret.defaultMode ?? 0o644);
  } else if (v.downwardAPI) {
    writeFiles(dir, downwardFiles(pod, v.downwardAPI.items, facts), v.downwardAPI.defaultMode ?? 0o644);
  } else if (v.projected) {
    const files: FileEntry[] = [];
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) {
        const data = await configMapData(source, ns, s.configMap.name, s.configMap.optional);
        files.push(...keyedFiles(data, s.configMap.items, `configmap ${s.configMap.name}`));
      } else if (s.secret) {
        const data = await secretData(source, ns, s.secret.name, s.secret.optional);
        files.push(...keyedFiles(data, s.secret.items, `secret ${s.secret.name}`));
      } else if (s.downwardAPI) files.push(...downwardFiles(pod, s.downwardAPI.items, facts));
      else if (s.serviceAccountToken) {
        if (!source.serviceAccountToken) throw new VolumeError('ServiceAccount tokens are not available on this node');
        const t = s.serviceAccountToken;
        let token: string;
        try {
          token = await source.serviceAccountToken(pod, t.audience, t.expirationSeconds ?? 3600);
        } catch (err) {
          throw new VolumeError(`failed to fetch token: ${(err as Error).message}`);
        }
        files.push({ path: t.path, content: Buffer.from(token) });
      }
    }
    writeFiles(dir, files, v.projected.defaultMode ?? 0o644);
  } else {
    // emptyDir (and ephemeral sources we do not materialise) is a plain directory that lives as long as the pod.
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o777);
  }
  return dir;
}

/** The runtime mounts for one container. */
export function containerMounts(c: Container, pod: BoundPod, volumePaths: ReadonlyMap<string, string>): Mount[] {
  const volumes = pod.spec.volumes ?? [];
  const readOnlyKinds = new Set(
    volumes.filter((v) => isProjectedKind(v) || v.persistentVolumeClaim?.readOnly).map((v) => v.name),
  );
  const projected = new Set(volumes.filter(isProjectedKind).map((v) => v.name));
  return (c.volumeMounts ?? []).map((m) => {
    const base = volumePaths.get(m.name);
    if (!base) throw new ContainerConfigError(`volume "${m.name}" not found in the pod`);
    let hostPath = base;
    if (m.subPath) {
      hostPath = join(base, safeRelative(m.subPath));
      if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
      // A subPath of an atomically written volume is its `..data` symlink chain: bind the file it names now,
      // so the container keeps this version (upstream: subPath mounts do not receive updates).
      if (projected.has(m.name)) hostPath = realpathSync(hostPath);
    }
    return { containerPath: m.mountPath, hostPath, readonly: m.readOnly === true || readOnlyKinds.has(m.name) };
  });
}
