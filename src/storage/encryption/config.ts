// The EncryptionConfiguration (apiserver.config.k8s.io/v1) that says which resources are encrypted at rest
// and with which providers, as upstream's --encryption-provider-config. The first provider writes; every
// provider of a resource can read (so identity after a key reads values stored before encryption, and an old
// key after a new one reads values written before a rotation).
import { randomBytes } from 'node:crypto';

export interface EncryptionKey {
  name: string;
  /** base64 of 32 bytes (AES-256), as upstream. */
  secret: string;
}

export interface ProviderConfig {
  aesgcm?: { keys: EncryptionKey[] };
  identity?: Record<string, never>;
}

export interface ResourceConfig {
  /** `secrets`, `configmaps`, `deployments.apps`, `*.apps`, `*.*`. */
  resources: string[];
  providers: ProviderConfig[];
}

export interface EncryptionConfiguration {
  apiVersion: 'apiserver.config.k8s.io/v1';
  kind: 'EncryptionConfiguration';
  resources: ResourceConfig[];
}

export class EncryptionConfigError extends Error {
  override name = 'EncryptionConfigError';
}

const KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks a parsed configuration (JSON or YAML, parsed by the caller); throws naming the bad field. */
export function validateEncryptionConfig(raw: unknown): EncryptionConfiguration {
  const fail = (path: string, why: string): never => {
    throw new EncryptionConfigError(`${path}: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('<root>', 'must be an object');
  const c = raw as Record<string, unknown>;
  if (c['kind'] !== 'EncryptionConfiguration') fail('kind', 'must be EncryptionConfiguration');
  if (c['apiVersion'] !== 'apiserver.config.k8s.io/v1') fail('apiVersion', 'must be apiserver.config.k8s.io/v1');
  if (!Array.isArray(c['resources']) || c['resources'].length === 0) fail('resources', 'must be a non-empty list');
  (c['resources'] as unknown[]).forEach((r, i) => {
    const p = `resources[${i}]`;
    if (typeof r !== 'object' || r === null) fail(p, 'must be an object');
    const rc = r as Record<string, unknown>;
    if (!Array.isArray(rc['resources']) || rc['resources'].length === 0)
      fail(`${p}.resources`, 'must be a non-empty list');
    for (const name of rc['resources'] as unknown[])
      if (typeof name !== 'string' || !/^(\*|[a-z0-9-]+)(\.(\*|[a-z0-9.-]+))?$/.test(name))
        fail(`${p}.resources`, `invalid resource ${JSON.stringify(name)}`);
    if (!Array.isArray(rc['providers']) || rc['providers'].length === 0)
      fail(`${p}.providers`, 'must be a non-empty list');
    (rc['providers'] as unknown[]).forEach((pv, j) => {
      const pp = `${p}.providers[${j}]`;
      if (typeof pv !== 'object' || pv === null) fail(pp, 'must be an object');
      const kinds = Object.keys(pv as object);
      if (kinds.length !== 1) fail(pp, 'must have exactly one provider type');
      const kind = kinds[0]!;
      if (kind === 'identity') return;
      if (kind !== 'aesgcm') fail(pp, `provider type ${kind} is not supported (aesgcm, identity)`);
      const keys = (pv as { aesgcm?: { keys?: unknown } }).aesgcm?.keys;
      if (!Array.isArray(keys) || keys.length === 0) fail(`${pp}.aesgcm.keys`, 'must be a non-empty list');
      const seen = new Set<string>();
      (keys as unknown[]).forEach((k, n) => {
        const kp = `${pp}.aesgcm.keys[${n}]`;
        const key = k as Partial<EncryptionKey> | null;
        if (typeof key?.name !== 'string' || !KEY_NAME.test(key.name))
          fail(`${kp}.name`, 'must be 1-64 of [A-Za-z0-9_.-]');
        if (seen.has(key!.name!)) fail(`${kp}.name`, `duplicate key name ${key!.name}`);
        seen.add(key!.name!);
        const bytes = typeof key!.secret === 'string' ? Buffer.from(key!.secret, 'base64') : Buffer.alloc(0);
        if (![16, 24, 32].includes(bytes.length)) fail(`${kp}.secret`, 'must be the base64 of 16, 24 or 32 bytes');
      });
    });
  });
  return raw as EncryptionConfiguration;
}

/** A new random AES-256 key. */
export function newKey(name: string): EncryptionKey {
  return { name, secret: randomBytes(32).toString('base64') };
}

/** The configuration `--secrets-encryption` starts with: secrets under aesgcm, identity to read old values. */
export function defaultSecretsConfig(key: EncryptionKey = newKey(`key-${Date.now()}`)): EncryptionConfiguration {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ aesgcm: { keys: [key] } }, { identity: {} }] }],
  };
}

/**
 * The configuration after a key rotation step: `key` becomes the writing key of every aesgcm provider, the
 * previous keys stay behind it for reading until re-encryption has finished (then `dropOldKeys`).
 */
export function withNewWriteKey(c: EncryptionConfiguration, key: EncryptionKey): EncryptionConfiguration {
  return {
    ...c,
    resources: c.resources.map((r) => ({
      ...r,
      providers: r.providers.map((p) => (p.aesgcm ? { aesgcm: { keys: [key, ...p.aesgcm.keys] } } : p)),
    })),
  };
}

/** Keeps only the writing key of each aesgcm provider. */
export function dropOldKeys(c: EncryptionConfiguration): EncryptionConfiguration {
  return {
    ...c,
    resources: c.resources.map((r) => ({
      ...r,
      providers: r.providers.map((p) => (p.aesgcm ? { aesgcm: { keys: p.aesgcm.keys.slice(0, 1) } } : p)),
    })),
  };
}
