import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../core/status.js';
import { MAX_DEPTH, decodeJson, decodeYaml, jsonDepth, yamlDepthBound } from './decode.js';

function badRequest(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof StatusError && e.code === 400 && message.test(e.message));
}

describe('bounded decoding', () => {
  it('jsonDepth counts without recursion, even a million levels', () => {
    assert.equal(jsonDepth(1), 0);
    assert.equal(jsonDepth({ a: [1, { b: {} }] }), 4);
    const deep = JSON.parse(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`);
    assert.equal(jsonDepth(deep, MAX_DEPTH), MAX_DEPTH + 1);
  });
  it('JSON: objects pass, deep nesting and garbage are 400', () => {
    assert.deepEqual(decodeJson('{"metadata":{"name":"x"}}'), { metadata: { name: 'x' } });
    badRequest(() => decodeJson(`${'['.repeat(10_000)}${']'.repeat(10_000)}`), /maximum nesting depth of 256/);
    badRequest(() => decodeJson('{"a":'), /json parse error/);
  });
  it('YAML: manifests pass; nested flow brackets, dashes and indentation are refused before parsing', () => {
    assert.deepEqual(decodeYaml('metadata:\n  name: x\n  labels: {a: "[b"}\n'), {
      metadata: { name: 'x', labels: { a: '[b' } },
    });
    for (const text of [
      '['.repeat(1000),
      '['.repeat(2000),
      `${'- '.repeat(2000)}x`,
      Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'),
    ]) {
      assert.ok(yamlDepthBound(text) > MAX_DEPTH);
      badRequest(() => decodeYaml(text), /maximum nesting depth|nesting too deep/);
    }
  });
  it('YAML: an alias bomb is refused', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    badRequest(() => decodeYaml(bomb), /error converting YAML to JSON/);
  });
});

describe('yamlDepthBound', () => {
  it('follows flow collections across lines and ignores brackets in quotes and comments', () => {
    const pretty = JSON.stringify({ a: { b: { c: [1, { d: 2 }] } } }, null, 2);
    assert.equal(yamlDepthBound(pretty), 5);
    assert.equal(yamlDepthBound('a: "[[[["\nb: \'{{{\' # [[[[\n'), 0);
    assert.equal(yamlDepthBound('a:\n  b:\n    - c: 1\n'), 3);
  });
});
