// Secrets encryption at rest through the real `tutti server`: secrets written before encryption was on are
// re-encrypted on start and their clear values leave the data dir; `tutti secrets-encrypt rotate-keys` moves every
// secret to a new key, through a running server and on a stopped one; turning encryption off decrypts them again.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { startTestServer, TUTTI_BIN, type TestServer } from './harness.js';

const run = promisify(execFile);
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Every file of the state store, as bytes. */
function dbBytes(dataDir: string): Buffer {
  const dir = join(dataDir, 'db');
  return Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
}

/** The markers (clear or base64) found in any file under the data dir, with the file. */
function clearValuesIn(dataDir: string, markers: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const bytes = readFileSync(p);
        for (const m of markers) if (bytes.includes(m) || bytes.includes(b64(m))) found.push(`${m} in ${p}`);
      }
    }
  };
  walk(dataDir);
  return found;
}

function storedSecretValues(dataDir: string): Map<string, string> {
  const db = new Database(join(dataDir, 'db', 'state.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT key, value FROM kv WHERE key LIKE '/registry/core/secrets/%' AND deleted = 0
         AND mod_revision = (SELECT MAX(mod_revision) FROM kv AS k WHERE k.key = kv.key)`,
      )
      .all() as { key: string; value: string }[];
    return new Map(rows.map((r) => [r.key, r.value]));
  } finally {
    db.close();
  }
}

describe('secrets encryption at rest', { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tutti-enc-'));
  let s: TestServer | undefined;
  after(async () => {
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const secret = (name: string, value: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    data: { password: b64(value) },
  });
  const readSecret = async (name: string) => {
    const r = await s!.request('GET', `/api/v1/namespaces/default/secrets/${name}`);
    assert.equal(r.status, 200, r.body);
    return Buffer.from(JSON.parse(r.body).data.password, 'base64').toString();
  };
  const rotate = () => run(process.execPath, [TUTTI_BIN, 'secrets-encrypt', 'rotate-keys', '--data-dir', dataDir]);
  const config = () => JSON.parse(readFileSync(join(dataDir, 'cred', 'encryption-config.json'), 'utf8'));
  const writeKey = () => config().resources[0].providers[0].aesgcm.keys.map((k: { name: string }) => k.name);

  it('re-encrypts secrets stored in clear when encryption is turned on; no clear value stays in the store', async () => {
    s = await startTestServer({ dataDir, args: ['--secrets-encryption=false'] });
    assert.equal(
      (await s.request('POST', '/api/v1/namespaces/default/secrets', secret('early', 'marker-early-1'))).status,
      201,
    );
    await s.stop();
    s = undefined;
    // the test can see a clear value when there is one
    assert.ok(dbBytes(dataDir).includes(b64('marker-early-1')), 'the unencrypted secret is in the file');

    s = await startTestServer({ dataDir });
    assert.equal(await readSecret('early'), 'marker-early-1');
    assert.equal(
      (await s.request('POST', '/api/v1/namespaces/default/secrets', secret('late', 'marker-late-2'))).status,
      201,
    );
    assert.equal(await readSecret('late'), 'marker-late-2');
    const list = JSON.parse((await s.request('GET', '/api/v1/namespaces/default/secrets')).body);
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), ['early', 'late']);
    // configmaps are not encrypted by the default configuration
    await s.request('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'plain' },
      data: { k: 'cm-visible-3' },
    });
    await s.stop();
    s = undefined;

    const bytes = dbBytes(dataDir);
    for (const m of ['marker-early-1', 'marker-late-2'])
      assert.ok(!bytes.includes(m) && !bytes.includes(b64(m)), `${m} is not in the store's files`);
    assert.ok(bytes.includes('cm-visible-3'));
    const stored = storedSecretValues(dataDir);
    assert.equal(stored.size, 2);
    for (const v of stored.values()) assert.match(v, new RegExp(`^k8s:enc:aesgcm:v1:${writeKey()[0]}:`));
  });

  it('rotate-keys re-encrypts through a running server, and on a stopped one', async () => {
    const before = writeKey();
    s = await startTestServer({ dataDir });
    const r1 = await rotate();
    assert.match(r1.stdout, /"msg":"keys rotated"/);
    const k2 = writeKey();
    assert.equal(k2.length, 1, 'the old key is dropped after re-encryption');
    assert.notEqual(k2[0], before[0]);
    assert.equal(await readSecret('early'), 'marker-early-1');
    // written after the rotation: under the new key
    assert.equal(
      (await s.request('POST', '/api/v1/namespaces/default/secrets', secret('after', 'marker-after-4'))).status,
      201,
    );
    await s.stop();
    s = undefined;
    for (const v of storedSecretValues(dataDir).values()) assert.match(v, new RegExp(`^k8s:enc:aesgcm:v1:${k2[0]}:`));

    await rotate(); // no server runs: done on the data dir
    const k3 = writeKey();
    assert.notEqual(k3[0], k2[0]);
    for (const v of storedSecretValues(dataDir).values()) assert.match(v, new RegExp(`^k8s:enc:aesgcm:v1:${k3[0]}:`));
    s = await startTestServer({ dataDir });
    assert.equal(await readSecret('after'), 'marker-after-4');
    const status = await run(process.execPath, [TUTTI_BIN, 'secrets-encrypt', 'status', '--data-dir', dataDir]);
    assert.equal(JSON.parse(status.stdout).writeKey, `aesgcm:${k3[0]}`);
    await s.stop();
    s = undefined;
    // after the rotations no file of the data dir (store, WAL, logs, anything) holds a secret's value in clear
    assert.deepEqual(clearValuesIn(dataDir, ['marker-early-1', 'marker-late-2', 'marker-after-4']), []);
    // and the keys are the owner's only
    const mode = (p: string) => statSync(join(dataDir, p)).mode & 0o777;
    assert.equal(mode('cred/encryption-config.json') & 0o077, 0, 'the key file is not readable by group or others');
    assert.equal(mode('cred') & 0o077, 0, 'nor is its directory');
  });

  it('--secrets-encryption=false decrypts what was encrypted; a broken config file stops the server with its reason', async () => {
    s = await startTestServer({ dataDir, args: ['--secrets-encryption=false'] });
    assert.equal(await readSecret('early'), 'marker-early-1');
    await s.stop();
    s = undefined;
    for (const v of storedSecretValues(dataDir).values()) assert.match(v, /^\{/);

    const bad = join(dataDir, 'bad-encryption.yaml');
    writeFileSync(bad, 'kind: EncryptionConfiguration\napiVersion: apiserver.config.k8s.io/v1\nresources: []\n');
    await assert.rejects(
      startTestServer({ dataDir, args: ['--encryption-provider-config', bad] }),
      /resources: must be a non-empty list/,
    );
  });
});
