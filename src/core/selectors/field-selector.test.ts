import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.js';
import { escapeFieldValue, fieldSelectorFromMap, parseFieldSelector, unescapeFieldValue } from './field-selector.js';

function rejected(s: string): string {
  try {
    parseFieldSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

describe('parseFieldSelector', () => {
  // From upstream's TestSelectorParse / TestSplitTerms / TestEscapeValue.
  it('parses, sorts and prints terms', () => {
    assert.equal(parseFieldSelector('').toString(), '');
    assert.equal(parseFieldSelector('a=b').toString(), 'a=b');
    assert.equal(parseFieldSelector('a==b').toString(), 'a=b');
    assert.equal(parseFieldSelector('b!=c,a=b').toString(), 'a=b,b!=c');
    assert.equal(parseFieldSelector('x=a,,y=b').toString(), 'x=a,y=b');
    assert.equal(parseFieldSelector('x=').toString(), 'x=');
    assert.equal(parseFieldSelector('x=a\\,b').requirements()[0]!.value, 'a,b');
    assert.equal(parseFieldSelector('x=a\\,b').toString(), 'x=a\\,b');
    assert.equal(parseFieldSelector('x=a\\=b\\\\').requirements()[0]!.value, 'a=b\\');
  });

  it('splits at the first operator', () => {
    const [r] = parseFieldSelector('metadata.name!=x').requirements();
    assert.deepEqual(r, { field: 'metadata.name', operator: '!=', value: 'x' });
    assert.equal(rejected('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  });

  it('rejects terms without an operator and bad escapes', () => {
    assert.equal(rejected('a'), "invalid selector: 'a'; can't understand 'a'");
    assert.equal(rejected('x=a,b'), "invalid selector: 'x=a,b'; can't understand 'b'");
    assert.equal(rejected('x=a\\b'), 'invalid field selector: invalid escape sequence: \\b');
    assert.equal(rejected('x=a\\'), 'invalid field selector: invalid escape sequence: \\');
  });

  it('matches, reading missing fields as empty', () => {
    const sel = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    assert.equal(sel.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Running' }), true);
    assert.equal(sel.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Failed' }), false);
    assert.equal(sel.matches({ 'spec.nodeName': 'n2' }), false);
    assert.equal(parseFieldSelector('spec.nodeName=').matches({}), true);
    assert.equal(parseFieldSelector('spec.nodeName!=').matches({ 'spec.nodeName': 'x' }), true);
    assert.equal(parseFieldSelector('').matches({}), true);
    assert.equal(parseFieldSelector('').empty(), true);
  });

  it('exposes requirements for indexed lookups and field conversion', () => {
    const sel = parseFieldSelector('metadata.name=web,spec.nodeName!=x');
    assert.equal(sel.requiresExactMatch('metadata.name'), 'web');
    assert.equal(sel.requiresExactMatch('spec.nodeName'), undefined);
    const renamed = parseFieldSelector('regarding.name=p').transform((f, v) => ({
      field: f.replace('regarding.', 'involvedObject.'),
      value: v,
    }));
    assert.equal(renamed.toString(), 'involvedObject.name=p');
    assert.equal(
      fieldSelectorFromMap({ 'metadata.namespace': 'a', 'metadata.name': 'b' }).toString(),
      'metadata.name=b,metadata.namespace=a',
    );
  });
});

describe('escapeFieldValue', () => {
  it('round-trips special characters', () => {
    for (const v of ['', 'a', 'a,b', 'a=b', 'a\\b', '\\,=']) {
      assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
    }
    assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
  });
});
