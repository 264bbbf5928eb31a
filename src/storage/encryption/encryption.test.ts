import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../memory/index.js';
import type { WatchEvent } from '../store.js';
import {
  DecryptError,
  defaultSecretsConfig,
  dropOldKeys,
  EncryptingStore,
  EncryptionConfigError,
  EncryptionPlan,
  newKey,
  validateEncryptionConfig,
  withNewWriteKey,
} from './index.js';

const SECRET_KEY = '/registry/core/secrets/default/db';
const value = (s: string) => JSON.stringify({ kind: 'Secret', data: { password: Buffer.from(s).toString('base64') } });

async function rawValue(inner: MemoryStore, key: string): Promise<string> {
  return (await inner.range({ key })).kvs[0]!.value;
}

describe('encryption at rest', () => {
  it('stores secrets as aesgcm ciphertext and reads them back; other resources stay in clear', async () => {
    const inner = new MemoryStore();
    const s = new EncryptingStore(inner, new EncryptionPlan(defaultSecretsConfig(newKey('k1'))));
    await s.txn([], [{ type: 'put', key: SECRET_KEY, value: value('hunter2') }]);
    await s.txn([], [{ type: 'put', key: '/registry/core/configmaps/default/c', value: '{"a":1}' }]);
    const raw = await rawValue(inner, SECRET_KEY);
    assert.match(raw, /^k8s:enc:aesgcm:v1:k1:/);
    assert.ok(!raw.includes('hunter2') && !raw.includes(Buffer.from('hunter2').toString('base64')));
    assert.equal((await s.range({ key: SECRET_KEY })).kvs[0]!.value, value('hunter2'));
    assert.equal(await rawValue(inner, '/registry/core/configmaps/default/c'), '{"a":1}');
    // two writes of one value give two ciphertexts (random nonce)
    await s.txn([], [{ type: 'put', key: SECRET_KEY, value: value('hunter2') }]);
    assert.notEqual(await rawValue(inner, SECRET_KEY), raw);
    // txn get results are decrypted too
    const got = await s.txn([], [{ type: 'get', key: SECRET_KEY }]);
    assert.equal(got.results[0]!.value, value('hunter2'));
    await s.close();
  });

  it('binds a ciphertext to its key: copied under another name it does not decrypt', async () => {
    const inner = new MemoryStore();
    const s = new EncryptingStore(inner, new EncryptionPlan(defaultSecretsConfig(newKey('k1'))));
    await s.txn([], [{ type: 'put', key: SECRET_KEY, value: value('x') }]);
    await inner.txn(
      [],
      [{ type: 'put', key: '/registry/core/secrets/other/db', value: await rawValue(inner, SECRET_KEY) }],
    );
    await assert.rejects(s.range({ key: '/registry/core/secrets/other/db' }), DecryptError);
    // a different key of the same name does not decrypt either
    const wrong = new EncryptingStore(inner, new EncryptionPlan(defaultSecretsConfig(newKey('k1'))));
    await assert.rejects(wrong.range({ key: SECRET_KEY }), /does not decrypt/);
    await s.close();
  });

  it('decrypts watch events and their previous values', async () => {
    const inner = new MemoryStore();
    const s = new EncryptingStore(inner, new EncryptionPlan(defaultSecretsConfig(newKey('k1'))));
    const seen: WatchEvent[] = [];
    const w = s.watch(
      { key: '/registry/core/secrets/', end: '/registry/core/secrets0' },
      (es) => seen.push(...es),
      assert.fail,
    );
    await s.txn([], [{ type: 'put', key: SECRET_KEY, value: value('a') }]);
    await s.txn([], [{ type: 'put', key: SECRET_KEY, value: value('b') }]);
    await s.txn([], [{ type: 'delete', key: SECRET_KEY }]);
    await new Promise((r) => setTimeout(r, 20));
    w.cancel();
    assert.deepEqual(
      seen.map((e) => [e.type, e.kv.value, e.prevKv?.value]),
      [
        ['put', value('a'), undefined],
        ['put', value('b'), value('a')],
        ['delete', '', value('b')],
      ],
    );
    await s.close();
  });

  it('migrates values in clear and rotates keys: re-encryption rewrites only stale values', async () => {
    const inner = new MemoryStore();
    // written before encryption was turned on
    await inner.txn([], [{ type: 'put', key: SECRET_KEY, value: value('old') }]);
    await inner.txn([], [{ type: 'put', key: '/registry/core/secrets/b/x', value: value('other') }]);
    const k1 = newKey('k1');
    const c1 = defaultSecretsConfig(k1);
    const s = new EncryptingStore(inner, new EncryptionPlan(c1));
    assert.equal((await s.range({ key: SECRET_KEY })).kvs[0]!.value, value('old'), 'identity reads clear values');
    assert.deepEqual({ ...(await s.reencrypt()), revision: 0 }, { rewritten: 2, current: 0, revision: 0 });
    assert.match(await rawValue(inner, SECRET_KEY), /^k8s:enc:aesgcm:v1:k1:/);
    assert.equal((await s.reencrypt()).rewritten, 0, 'nothing is stale any more');

    const c2 = withNewWriteKey(c1, newKey('k2'));
    assert.deepEqual(
      c2.resources[0]!.providers[0]!.aesgcm!.keys.map((k) => k.name),
      ['k2', 'k1'],
    );
    s.setPlan(new EncryptionPlan(c2));
    assert.equal((await s.range({ key: SECRET_KEY })).kvs[0]!.value, value('old'), 'the old key still reads');
    assert.equal((await s.reencrypt()).rewritten, 2);
    assert.match(await rawValue(inner, SECRET_KEY), /^k8s:enc:aesgcm:v1:k2:/);
    const c3 = dropOldKeys(c2);
    s.setPlan(new EncryptionPlan(c3));
    assert.equal((await s.range({ key: '/registry/core/secrets/b/x' })).kvs[0]!.value, value('other'));
    // a value under a key no longer listed is an error, never returned as clear text
    await inner.txn([], [{ type: 'put', key: '/registry/core/secrets/c/y', value: 'k8s:enc:aesgcm:v1:k1:AAAA' }]);
    await assert.rejects(s.range({ key: '/registry/core/secrets/c/y' }), /no provider/);
    await s.close();
  });

  it('matches resources as upstream: group-qualified names and wildcards', () => {
    const plan = new EncryptionPlan(
      validateEncryptionConfig({
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'EncryptionConfiguration',
        resources: [
          { resources: ['configmaps', 'deployments.apps'], providers: [{ identity: {} }] },
          { resources: ['*.apps'], providers: [{ aesgcm: { keys: [newKey('a')] } }] },
        ],
      }),
    );
    assert.equal(plan.chainFor('/registry/core/configmaps/ns/x')?.writePrefix, '');
    assert.equal(plan.chainFor('/registry/apps/deployments/ns/x')?.writePrefix, '');
    assert.equal(plan.chainFor('/registry/apps/statefulsets/ns/x')?.writePrefix, 'k8s:enc:aesgcm:v1:a:');
    assert.equal(plan.chainFor('/registry/core/secrets/ns/x'), undefined);
    assert.equal(plan.chainFor('/registry/ranges/serviceips/10.43.0.1'), undefined);
  });

  it('refuses bad configurations naming the field', () => {
    const base = { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration' };
    const bad: [unknown, RegExp][] = [
      [{ ...base, kind: 'X', resources: [] }, /^kind/],
      [{ ...base, resources: [] }, /^resources: must be a non-empty list/],
      [{ ...base, resources: [{ resources: ['secrets'], providers: [{ kms: {} }] }] }, /not supported/],
      [
        {
          ...base,
          resources: [
            { resources: ['secrets'], providers: [{ aesgcm: { keys: [{ name: 'k', secret: 'c2hvcnQ=' }] } }] },
          ],
        },
        /resources\[0\]\.providers\[0\]\.aesgcm\.keys\[0\]\.secret: must be the base64 of 16, 24 or 32 bytes/,
      ],
      [{ ...base, resources: [{ resources: ['Secrets!'], providers: [{ identity: {} }] }] }, /invalid resource/],
    ];
    for (const [c, re] of bad)
      assert.throws(
        () => validateEncryptionConfig(c),
        (e: Error) => e instanceof EncryptionConfigError && re.test(e.message),
      );
  });
});
