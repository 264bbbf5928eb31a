// Secrets encryption at rest for `tutti server` (k3s's --secrets-encryption, upstream's
// --encryption-provider-config) and the `tutti secrets-encrypt` command. The configuration is an
// EncryptionConfiguration file; by default `<data-dir>/cred/encryption-config.json` (mode 0600), made on first
// start with a new AES-256 key. On start, and whenever the file changes, the server re-encrypts every value
// the writing provider did not write, compacts the old revisions away and records the outcome in
// `<data-dir>/cred/encryption-status.json`.
import { existsSync, mkdirSync, readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  defaultSecretsConfig,
  dropOldKeys,
  EncryptingStore,
  type EncryptionConfiguration,
  EncryptionPlan,
  newKey,
  validateEncryptionConfig,
  withNewWriteKey,
} from '../storage/encryption/index.js';
import { openSqliteStore } from '../storage/sqlite/index.js';
import type { Store } from '../storage/store.js';
import { defaultDataDir } from './datadir.js';
import { boolFlag, type ParsedArgs, parseFlags, stringFlag, UsageError } from './flags.js';

export interface EncryptionStatus {
  /** The configuration the last re-encryption ran under. */
  configHash: string;
  stage: 'reencrypt_finished' | 'reencrypt_failed';
  writeKey: string;
  rewritten: number;
  current: number;
  error?: string;
  at: string;
}

export const defaultConfigPath = (dataDir: string) => join(dataDir, 'cred', 'encryption-config.json');
const statusPath = (dataDir: string) => join(dataDir, 'cred', 'encryption-status.json');
const pidPath = (dataDir: string) => join(dataDir, 'server.pid');

function writePrivate(path: string, body: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, body, { mode: 0o600 });
  renameSync(tmp, path);
}

export function readEncryptionConfig(path: string): EncryptionConfiguration {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`encryption config ${path}: ${(err as Error).message}`);
  }
  try {
    return validateEncryptionConfig(raw);
  } catch (err) {
    throw new Error(`encryption config ${path}: ${(err as Error).message}`);
  }
}

function writeKeyName(c: EncryptionConfiguration): string {
  const p = c.resources[0]?.providers[0];
  return p?.aesgcm ? `aesgcm:${p.aesgcm.keys[0]!.name}` : 'identity';
}

export interface EncryptionSetting {
  path: string;
  /** `--secrets-encryption=false` on a data dir that has keys: identity writes, the keys still read. */
  disabled: boolean;
}

/** `--secrets-encryption` is on unless `--secrets-encryption=false`. */
export function encryptionConfigPath(args: ParsedArgs, dataDir: string): EncryptionSetting | undefined {
  const explicit = stringFlag(args, 'encryption-provider-config');
  if (explicit) return { path: explicit, disabled: false };
  const path = defaultConfigPath(dataDir);
  if (args.flags.has('secrets-encryption') && !boolFlag(args, 'secrets-encryption')) {
    // Turned off: values written encrypted before are decrypted and stored in clear (k3s `secrets-encrypt disable`).
    return existsSync(path) ? { path, disabled: true } : undefined;
  }
  if (!existsSync(path)) writePrivate(path, `${JSON.stringify(defaultSecretsConfig(), null, 2)}\n`);
  return { path, disabled: false };
}

/** The configuration with identity as the writing provider of every resource (the keys stay, to read). */
function identityFirst(c: EncryptionConfiguration): EncryptionConfiguration {
  return {
    ...c,
    resources: c.resources.map((r) => ({
      ...r,
      providers: [{ identity: {} }, ...r.providers.filter((p) => !p.identity)],
    })),
  };
}

async function reencryptAndCompact(store: EncryptingStore): Promise<{ rewritten: number; current: number }> {
  const r = await store.reencrypt();
  if (r.rewritten > 0) {
    // One more write so every rewritten row is below the compaction revision; then the values stored under the
    // old provider (clear text, old keys) leave the file (the store compacts with secure_delete and truncates
    // its WAL).
    const marker = '/registry/tutti.io/encryption/last-reencryption';
    await store.txn([], [{ type: 'put', key: marker, value: JSON.stringify({ at: new Date().toISOString() }) }]);
    await store.compact(store.currentRevision());
  }
  return r;
}

export interface ServerEncryption {
  store: Store;
  stop(): void;
}

/** Wraps the server's store when encryption is configured; re-encrypts now and on every change of the file. */
export async function setUpEncryption(
  inner: Store,
  setting: EncryptionSetting | undefined,
  dataDir: string,
): Promise<ServerEncryption> {
  if (!setting) return { store: inner, stop() {} };
  const { path } = setting;
  const load = () => (setting.disabled ? identityFirst : (c: EncryptionConfiguration) => c)(readEncryptionConfig(path));
  let config = load();
  const store = new EncryptingStore(inner, new EncryptionPlan(config));
  const run = async (c: EncryptionConfiguration) => {
    const plan = new EncryptionPlan(c);
    store.setPlan(plan);
    const base = { configHash: plan.hash, writeKey: writeKeyName(c), at: new Date().toISOString() };
    try {
      const r = await reencryptAndCompact(store);
      writePrivate(statusPath(dataDir), JSON.stringify({ ...base, stage: 'reencrypt_finished', ...r }));
    } catch (err) {
      const status: EncryptionStatus = {
        ...base,
        stage: 'reencrypt_failed',
        rewritten: 0,
        current: 0,
        error: String(err),
      };
      writePrivate(statusPath(dataDir), JSON.stringify(status));
      console.error(JSON.stringify({ msg: 'secrets re-encryption failed', error: String(err) }));
    }
  };
  await run(config);
  writeFileSync(pidPath(dataDir), `${process.pid}\n`);
  let chain = Promise.resolve();
  const onChange = () => {
    chain = chain.then(async () => {
      let next: EncryptionConfiguration;
      try {
        next = load();
      } catch (err) {
        console.error(JSON.stringify({ msg: 'encryption config not reloaded', error: (err as Error).message }));
        return;
      }
      if (JSON.stringify(next) === JSON.stringify(config)) return;
      config = next;
      await run(next);
    });
  };
  watchFile(path, { interval: 500 }, onChange);
  return {
    store,
    stop() {
      unwatchFile(path, onChange);
      try {
        if (readFileSync(pidPath(dataDir), 'utf8').trim() === String(process.pid)) writeFileSync(pidPath(dataDir), '');
      } catch {
        // no pid file
      }
    },
  };
}

const HELP = `Usage: tutti secrets-encrypt status|rotate-keys [--data-dir DIR] [--timeout S]

Secrets encryption at rest (on by default; 'tutti server --secrets-encryption=false' turns it off).
  status        the writing key, the keys that can read, and the last re-encryption
  rotate-keys   adds a new AES-256 key as the writing key, re-encrypts every secret with it (through the running
                server, or directly on the data dir when no server runs), then drops the old keys

  --data-dir DIR   the server's data dir (default /var/lib/tutti as root, else ~/.tutti)
  --timeout S      how long to wait for a running server's re-encryption (default 120)
`;

function readStatus(dataDir: string): EncryptionStatus | undefined {
  try {
    return JSON.parse(readFileSync(statusPath(dataDir), 'utf8')) as EncryptionStatus;
  } catch {
    return undefined;
  }
}

function serverRunning(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(pidPath(dataDir), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes `c` and has it applied: by the running server (waits for its status), or here on the store. */
async function apply(
  dataDir: string,
  path: string,
  c: EncryptionConfiguration,
  timeoutMs: number,
): Promise<EncryptionStatus> {
  const hash = new EncryptionPlan(c).hash;
  if (serverRunning(dataDir)) {
    writePrivate(path, `${JSON.stringify(c, null, 2)}\n`);
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = readStatus(dataDir);
      if (s?.configHash === hash) {
        if (s.stage !== 'reencrypt_finished') throw new Error(`re-encryption failed: ${s.error}`);
        return s;
      }
      if (Date.now() > until) throw new Error(`the running server did not re-encrypt within ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const inner = await openSqliteStore({ path: join(dataDir, 'db', 'state.db') });
  try {
    const store = new EncryptingStore(inner, new EncryptionPlan(c));
    const r = await reencryptAndCompact(store);
    writePrivate(path, `${JSON.stringify(c, null, 2)}\n`);
    const s: EncryptionStatus = {
      configHash: hash,
      stage: 'reencrypt_finished',
      writeKey: writeKeyName(c),
      at: new Date().toISOString(),
      ...r,
    };
    writePrivate(statusPath(dataDir), JSON.stringify(s));
    return s;
  } finally {
    await inner.close();
  }
}

export async function runSecretsEncrypt(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  const args = parseFlags(argv, { 'data-dir': 'string', timeout: 'number' });
  const dataDir = stringFlag(args, 'data-dir', defaultDataDir());
  const [sub, ...extra] = args.positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const path = defaultConfigPath(dataDir);
  if (sub !== 'status' && sub !== 'rotate-keys') throw new UsageError('expected status or rotate-keys');
  if (!existsSync(path)) {
    console.error(`tutti secrets-encrypt: no encryption config at ${path} (is secrets encryption off?)`);
    return 1;
  }
  const config = readEncryptionConfig(path);
  if (sub === 'status') {
    const keys = config.resources.flatMap((r) =>
      r.providers.map((p) => (p.aesgcm ? `aesgcm(${p.aesgcm.keys.map((k) => k.name).join(',')})` : 'identity')),
    );
    console.log(
      JSON.stringify(
        {
          encryption: 'enabled',
          writeKey: writeKeyName(config),
          providers: keys,
          lastReencryption: readStatus(dataDir) ?? null,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const timeoutMs = Number(stringFlag(args, 'timeout', '120')) * 1000;
  const key = newKey(`key-${Date.now()}`);
  const step1 = await apply(dataDir, path, withNewWriteKey(config, key), timeoutMs);
  const step2 = await apply(dataDir, path, dropOldKeys(withNewWriteKey(config, key)), timeoutMs);
  console.log(
    JSON.stringify({ msg: 'keys rotated', writeKey: step2.writeKey, reencrypted: step1.rewritten + step2.rewritten }),
  );
  return 0;
}
