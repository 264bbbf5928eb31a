// Materialises a pod's volumes under the agent's data dir (<podDir>/volumes/<name>) so containers can mount
// them: emptyDir as a directory, configMap/secret/downwardAPI/projected as files, hostPath as itself.
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Mount } from '../runtime/index.js';
import type { Container, corev1, KeyToPath, Volume } from '../../core/types.js';
import type { BoundPod } from '../types.js';
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

interface FileEntry {
  path: string;
  content: Buffer;
  mode?: number;
}

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
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const target = join(dir, safeRelative(f.path));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    chmodSync(target, f.mode ?? defaultMode);
  }
}

/** Host path of each volume, keyed by volume name. Throws VolumeError (FailedMount) on a missing source. */
export async function prepareVolumes(
  pod: BoundPod,
  podDir: string,
  source: ConfigSource,
  facts: NodeFacts,
): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const paths = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) {
    paths.set(v.name, await prepareVolume(v, pod, ns, join(podDir, 'volumes', v.name), source, facts));
  }
  return paths;
}

async function prepareVolume(
  v: Volume,
  pod: BoundPod,
  ns: string,
  dir: string,
  source: ConfigSource,
  facts: NodeFacts,
) {
  if (v.hostPath) {
    const type = v.hostPath.type ?? '';
    if (type === 'DirectoryOrCreate') mkdirSync(v.hostPath.path, { recursive: true });
    else if (type === 'FileOrCreate' && !existsSync(v.hostPath.path)) {
      mkdirSync(dirname(v.hostPath.path), { recursive: true });
      writeFileSync(v.hostPath.path, '');
    } else if ((type === 'Directory' || type === 'File') && !existsSync(v.hostPath.path)) {
      throw new VolumeError(`hostPath ${v.hostPath.path} does not exist`);
    }
    return v.hostPath.path;
  }
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
    }
    writeFiles(dir, files, v.projected.defaultMode ?? 0o644);
  } else {
    // emptyDir, and any source we do not materialise, is a plain directory that lives as long as the pod.
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    chmodSync(dir, 0o777);
  }
  return dir;
}

/** The runtime mounts for one container. */
export function containerMounts(c: Container, pod: BoundPod, volumePaths: ReadonlyMap<string, string>): Mount[] {
  const readOnlyKinds = new Set(
    (pod.spec.volumes ?? []).filter((v) => v.configMap || v.secret || v.downwardAPI || v.projected).map((v) => v.name),
  );
  return (c.volumeMounts ?? []).map((m) => {
    const base = volumePaths.get(m.name);
    if (!base) throw new ContainerConfigError(`volume "${m.name}" not found in the pod`);
    let hostPath = base;
    if (m.subPath) {
      hostPath = join(base, safeRelative(m.subPath));
      if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true });
    }
    return { containerPath: m.mountPath, hostPath, readonly: m.readOnly === true || readOnlyKinds.has(m.name) };
  });
}
