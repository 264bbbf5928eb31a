import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { validatorFor } from './index.js';
import { fields } from './testdata.js';

const cm = validatorFor('', 'ConfigMap')!;
const secret = validatorFor('', 'Secret')!;
const b64 = (s: string) => Buffer.from(s).toString('base64');

const configMap = (data: Record<string, string>, immutable?: boolean): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app-config', namespace: 'default' },
  data,
  ...(immutable === undefined ? {} : { immutable }),
});

test('configmap keys', () => {
  assert.deepEqual(cm(configMap({ 'app.properties': 'a=b', LOG_LEVEL: 'debug' })), []);
  const errs = cm(configMap({ 'bad key': 'x', '..': 'y' }));
  assert.deepEqual(fields(errs), ['data[bad key] FieldValueInvalid', 'data[..] FieldValueInvalid']);
  assert.match(errs[0]!.message, /a valid config key must consist of alphanumeric characters, '-', '_' or '.'/);
  assert.equal(errs[1]!.message, `Invalid value: "..": must not be '..'`);
});

test('immutable configmaps keep their data', () => {
  const old = configMap({ a: '1' }, true);
  assert.deepEqual(cm(configMap({ a: '1' }, true), old), []);
  assert.deepEqual(fields(cm(configMap({ a: '2' }, true), old)), ['data FieldValueForbidden']);
  assert.deepEqual(fields(cm(configMap({ a: '1' }, false), old)), ['immutable FieldValueForbidden']);
  assert.deepEqual(cm(configMap({ a: '2' }, false), configMap({ a: '1' })), []);
});

const mkSecret = (type: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default' },
  type,
  data,
});

test('secret data must be base64 and is never echoed', () => {
  assert.deepEqual(secret(mkSecret('Opaque', { password: b64('hunter2') })), []);
  const errs = secret(mkSecret('Opaque', { password: 'hunter2!' }));
  assert.deepEqual(fields(errs), ['data[password] FieldValueInvalid']);
  assert.ok(!errs[0]!.message.includes('hunter2'));
  assert.match(errs[0]!.message, /illegal base64 data at input byte 7/);
});

test('typed secrets need their keys', () => {
  assert.deepEqual(fields(secret(mkSecret('kubernetes.io/tls', { 'tls.crt': b64('c') }))), [
    'data[tls.key] FieldValueRequired',
  ]);
  assert.deepEqual(secret(mkSecret('kubernetes.io/tls', { 'tls.crt': b64('c'), 'tls.key': b64('k') })), []);
  assert.deepEqual(fields(secret(mkSecret('kubernetes.io/dockerconfigjson', {}))), [
    'data[.dockerconfigjson] FieldValueRequired',
  ]);
  assert.deepEqual(fields(secret(mkSecret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{bad') }))), [
    'data[.dockerconfigjson] FieldValueInvalid',
  ]);
  const good = { '.dockerconfigjson': b64('{"auths":{}}') };
  assert.deepEqual(secret(mkSecret('kubernetes.io/dockerconfigjson', good)), []);
});

test('secret type is immutable', () => {
  const old = mkSecret('Opaque', {});
  assert.deepEqual(fields(secret(mkSecret('kubernetes.io/basic-auth', { username: b64('u') }), old)), [
    'type FieldValueInvalid',
  ]);
});
