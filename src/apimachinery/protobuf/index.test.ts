import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StatusError } from '../../core/status.js';
import { decodeProtobufObject, isProtobufContentType } from './index.js';
import { kubeProtoRoot, unknownEnvelopeType } from './schema-root.js';

// scripts/copy-assets.js copies .json but not .bin into dist/, so fall back to the source tree (tests run
// from the repository root).
const testdata =
  [
    fileURLToPath(new URL('./testdata/', import.meta.url)),
    join(process.cwd(), 'src/apimachinery/protobuf/testdata/'),
  ].find((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.bin'))) ??
  fileURLToPath(new URL('./testdata/', import.meta.url));
const fixtures = readdirSync(testdata)
  .filter((f) => f.endsWith('.bin'))
  .map((f) => f.slice(0, -4));

/** Wraps an object message in the k8s\0 + runtime.Unknown envelope, as kubectl does. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Record<string, unknown> = {}): Buffer {
  const unknown = unknownEnvelopeType();
  const bytes = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, ...extra })).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), bytes]);
}

function encodeObject(fullName: string, value: Record<string, unknown>): Uint8Array {
  const type = kubeProtoRoot().lookupType(fullName);
  return type.encode(type.fromObject(value)).finish();
}

function assertBadRequest(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `expected StatusError, got ${String(err)}`);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('decodeProtobufObject on bodies captured from kubectl 1.32', () => {
  it('has the captured fixtures', () => {
    assert.ok(fixtures.length >= 20, `found ${fixtures.length} fixtures`);
  });
  for (const name of fixtures) {
    it(`${name}: equals kubectl's own --dry-run=client -o json`, () => {
      const body = readFileSync(`${testdata}${name}.bin`);
      const expected = JSON.parse(readFileSync(`${testdata}${name}.json`, 'utf8'));
      const decoded = decodeProtobufObject(body);
      assert.deepEqual(decoded, expected);
      // Same key order as Go's encoding/json too.
      assert.equal(JSON.stringify(decoded), JSON.stringify(expected));
    });
  }

  it('keeps a pointer field set to zero (replicas: 0) and base64-encodes Secret data', () => {
    const dep = decodeProtobufObject(readFileSync(`${testdata}deployment-multi.bin`));
    assert.equal((dep['spec'] as { replicas: number }).replicas, 0);
    const secret = decodeProtobufObject(readFileSync(`${testdata}secret-generic.bin`));
    const data = secret['data'] as Record<string, string>;
    assert.equal(Buffer.from(data['pass'], 'base64').toString(), 's3cr3t');
  });
});

describe('decodeProtobufObject on constructed bodies', () => {
  it('formats Time as RFC 3339, int64 as numbers, IntOrString strings', () => {
    const raw = encodeObject('k8s.io.api.core.v1.Service', {
      metadata: { name: 'svc', creationTimestamp: { seconds: 1700000000, nanos: 5 }, generation: 7 },
      spec: { ports: [{ port: 80, targetPort: { type: 1, strVal: 'http' } }] },
    });
    const svc = decodeProtobufObject(envelope('v1', 'Service', raw));
    assert.deepEqual(svc.metadata, { name: 'svc', generation: 7, creationTimestamp: '2023-11-14T22:13:20Z' });
    assert.deepEqual((svc['spec'] as { ports: unknown[] }).ports, [{ port: 80, targetPort: 'http' }]);
  });

  it('resolves grouped kinds (rbac.authorization.k8s.io/v1 Role)', () => {
    const raw = encodeObject('k8s.io.api.rbac.v1.Role', { metadata: { name: 'r' }, rules: [{ verbs: ['get'] }] });
    const role = decodeProtobufObject(envelope('rbac.authorization.k8s.io/v1', 'Role', raw));
    assert.deepEqual(role, {
      kind: 'Role',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'r', creationTimestamp: null },
      rules: [{ verbs: ['get'] }],
    });
  });
});

describe('decodeProtobufObject rejects bad input with 400 BadRequest', () => {
  const good = readFileSync(`${testdata}deployment.bin`);

  it('bad magic', () => {
    assertBadRequest(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), /magic/);
    assertBadRequest(() => decodeProtobufObject(Buffer.alloc(0)), /magic/);
  });

  it('unknown or non-object kinds', () => {
    assertBadRequest(() => decodeProtobufObject(envelope('v1', 'Widget', new Uint8Array())), /Widget/);
    assertBadRequest(() => decodeProtobufObject(envelope('v1', 'PodSpec', new Uint8Array())), /PodSpec/);
    assertBadRequest(() => decodeProtobufObject(envelope('example.com/v1', 'Deployment', new Uint8Array())));
    assertBadRequest(() => decodeProtobufObject(envelope('', 'Deployment', new Uint8Array())), /apiVersion/);
  });

  it('encoded envelopes it cannot read', () => {
    assertBadRequest(
      () => decodeProtobufObject(envelope('v1', 'Namespace', new Uint8Array(), { contentEncoding: 'gzip' })),
      /gzip/,
    );
  });

  it('every truncation of a captured body is either decoded or a 400, never a crash', () => {
    const bodies = fixtures.map((name) => readFileSync(`${testdata}${name}.bin`)).filter((b) => b.length < 1000);
    let rejected = 0;
    for (const body of [good, ...bodies]) {
      for (let len = 0; len < body.length; len++) {
        try {
          decodeProtobufObject(body.subarray(0, len));
        } catch (err) {
          assert.ok(err instanceof StatusError && err.code === 400, `len ${len}: ${String(err)}`);
          rejected++;
        }
      }
    }
    assert.ok(rejected > 0);
  });

  it('garbage after the magic', () => {
    const junk = Buffer.concat([good.subarray(0, 4), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])]);
    assertBadRequest(() => decodeProtobufObject(junk));
  });
});

describe('isProtobufContentType', () => {
  it('matches with and without parameters', () => {
    assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isProtobufContentType('application/vnd.kubernetes.protobuf; charset=x'), true);
    assert.equal(isProtobufContentType('application/json'), false);
    assert.equal(isProtobufContentType(undefined), false);
  });
});
