// Value transformers for data at rest, as upstream's apiserver/pkg/storage/value: a value written by the
// aesgcm provider is `k8s:enc:aesgcm:v1:<key name>:` followed by the nonce, ciphertext and tag (base64 here,
// since the store holds text), with the storage key as authenticated data, so a value copied to another key
// does not decrypt. Identity stores the value as it is.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { EncryptionConfiguration, ProviderConfig } from './config.js';

const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';
const ENCRYPTED = 'k8s:enc:';

export class DecryptError extends Error {
  override name = 'DecryptError';
}

interface Provider {
  /** What a value this provider wrote starts with ('' for identity). */
  prefix: string;
  encrypt(plain: string, key: string): string;
  decrypt(body: string, key: string): string;
}

function aesgcm(name: string, secret: string): Provider {
  const k = Buffer.from(secret, 'base64');
  const algo = `aes-${k.length * 8}-gcm` as 'aes-256-gcm';
  return {
    prefix: `${AESGCM_PREFIX}${name}:`,
    encrypt(plain, key) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algo, k, nonce);
      c.setAAD(Buffer.from(key));
      const body = Buffer.concat([nonce, c.update(plain, 'utf8'), c.final(), c.getAuthTag()]);
      return `${this.prefix}${body.toString('base64')}`;
    },
    decrypt(body, key) {
      const b = Buffer.from(body, 'base64');
      if (b.length < 28) throw new DecryptError('the stored value is too short');
      const d = createDecipheriv(algo, k, b.subarray(0, 12));
      d.setAAD(Buffer.from(key));
      d.setAuthTag(b.subarray(b.length - 16));
      try {
        return Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]).toString('utf8');
      } catch {
        throw new DecryptError(`aesgcm: the value of ${key} does not decrypt (wrong key or tampered data)`);
      }
    },
  };
}

const identity: Provider = { prefix: '', encrypt: (v) => v, decrypt: (v) => v };

function providersOf(p: ProviderConfig): Provider[] {
  if (p.aesgcm) return p.aesgcm.keys.map((k) => aesgcm(k.name, k.secret));
  return [identity];
}

/** The providers of one resource, the first writes. */
export class TransformerChain {
  private readonly providers: Provider[];
  constructor(configs: ProviderConfig[]) {
    this.providers = configs.flatMap(providersOf);
  }

  /** The prefix of values the writing provider produces ('' for identity): a value without it is stale. */
  get writePrefix(): string {
    return this.providers[0]!.prefix;
  }

  toStorage(value: string, key: string): string {
    return value === '' ? value : this.providers[0]!.encrypt(value, key);
  }

  /** The clear value, and whether it was written by another provider than the writing one (stale). */
  fromStorage(value: string, key: string): { value: string; stale: boolean } {
    if (value === '') return { value, stale: false };
    for (let i = 0; i < this.providers.length; i++) {
      const p = this.providers[i]!;
      if (p.prefix === '') {
        // identity reads only values that are not encrypted
        if (value.startsWith(ENCRYPTED)) continue;
        return { value, stale: i !== 0 };
      }
      if (value.startsWith(p.prefix)) return { value: p.decrypt(value.slice(p.prefix.length), key), stale: i !== 0 };
    }
    if (!value.startsWith(ENCRYPTED)) return { value, stale: true };
    throw new DecryptError(`no provider of the encryption configuration reads the value of ${key}`);
  }
}

/** `secrets` → { resource: 'secrets', group: '' }; `deployments.apps`; `*.apps`; `*.*`. */
function parseResource(r: string): { resource: string; group: string } {
  const dot = r.indexOf('.');
  return dot < 0 ? { resource: r, group: '' } : { resource: r.slice(0, dot), group: r.slice(dot + 1) };
}

/**
 * Which chain applies to a storage key `/registry/<group or core>/<resource>/...`, by the first matching
 * entry of the configuration, as upstream; undefined: stored in clear.
 */
export class EncryptionPlan {
  private readonly entries: { resource: string; group: string; chain: TransformerChain }[] = [];
  private readonly cache = new Map<string, TransformerChain | null>();
  /** A short digest of the configuration, to tell which one a status refers to. */
  readonly hash: string;

  constructor(config: EncryptionConfiguration) {
    for (const rc of config.resources) {
      const chain = new TransformerChain(rc.providers);
      for (const r of rc.resources) this.entries.push({ ...parseResource(r), chain });
    }
    this.hash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
  }

  chainFor(key: string): TransformerChain | undefined {
    if (!key.startsWith('/registry/')) return undefined;
    const second = key.indexOf('/', 10);
    const third = second < 0 ? -1 : key.indexOf('/', second + 1);
    if (third < 0) return undefined;
    const prefix = key.slice(0, third + 1);
    let c = this.cache.get(prefix);
    if (c === undefined) {
      const g = key.slice(10, second);
      const group = g === 'core' ? '' : g;
      const resource = key.slice(second + 1, third);
      c =
        this.entries.find(
          (e) => (e.group === '*' || e.group === group) && (e.resource === '*' || e.resource === resource),
        )?.chain ?? null;
      this.cache.set(prefix, c);
    }
    return c ?? undefined;
  }

  /** The storage prefixes of the resources named explicitly (for re-encryption); wildcards are skipped. */
  explicitPrefixes(): string[] {
    return this.entries
      .filter((e) => e.resource !== '*' && e.group !== '*')
      .map((e) => `/registry/${e.group || 'core'}/${e.resource}/`);
  }
}
