import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.js';
import { lexLabelSelector } from './label-lexer.js';
import { parseLabelSelector } from './label-parser.js';

function parseError(s: string): StatusError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

describe('lexLabelSelector', () => {
  it('recognises symbols greedily and keywords as words', () => {
    const kinds = (s: string) => lexLabelSelector(s).map((t) => t.kind);
    assert.deepEqual(kinds('in'), ['in', 'end']);
    assert.deepEqual(kinds('!='), ['notEquals', 'end']);
    assert.deepEqual(kinds('=='), ['doubleEquals', 'end']);
    assert.deepEqual(kinds('!'), ['doesNotExist', 'end']);
    assert.deepEqual(kinds('x notin(a,b)'), [
      'identifier',
      'notIn',
      'openPar',
      'identifier',
      'comma',
      'identifier',
      'closedPar',
      'end',
    ]);
    assert.deepEqual(kinds('a>1'), ['identifier', 'greaterThan', 'identifier', 'end']);
    assert.deepEqual(lexLabelSelector('||')[0], { kind: 'identifier', literal: '||' });
    assert.deepEqual(kinds('>='), ['greaterThan', 'equals', 'end']);
    assert.deepEqual(kinds('x=!'), ['identifier', 'equals', 'doesNotExist', 'end']);
  });
});

describe('parseLabelSelector', () => {
  // Valid inputs from upstream's TestSetSelectorParser, with the normalised String() upstream prints.
  const good: [string, string][] = [
    ['', ''],
    ['\rx', 'x'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    [
      'this-is-another-dns.domain.com/key-with-dash in (so,what)',
      'this-is-another-dns.domain.com/key-with-dash in (so,what)',
    ],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x  notin\t\t(abc,def)', 'x notin (abc,def)'],
    ['x in (abc,def)', 'x in (abc,def)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in ()', 'x in ()'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['x,y in (a)', 'x,y in (a)'],
    ['x=a', 'x=a'],
    ['x>1', 'x>1'],
    ['x<7', 'x<7'],
    ['x=a,y!=b', 'x=a,y!=b'],
    ['x=a,y!=b,z in (h,i,j)', 'x=a,y!=b,z in (h,i,j)'],
    ['x==a', 'x==a'],
    ['!x', '!x'],
    ['x=', 'x='],
    ['x= ,z= ', 'x=,z='],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['in in (in)', 'in in (in)'],
    ['b=2,a!=1', 'a!=1,b=2'],
  ];
  for (const [input, printed] of good) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      assert.equal(parseLabelSelector(input).toString(), printed);
    });
  }

  const bad = [
    'x=a||y=b',
    'x==a==b',
    '!x=a',
    'x<a',
    'x,,y',
    ',x,y',
    'x nott in (y)',
    'a in (xyz),',
    'a in (xyz)b notin ()',
    'a in (xyz abc)',
    'a notin(',
    'a (',
    '(',
    'x=a b',
    '-x=a',
    'x=-a',
    'x>1.5',
  ];
  for (const input of bad) {
    it(`rejects ${JSON.stringify(input)} with 400`, () => {
      const e = parseError(input);
      assert.equal(e.code, 400);
      assert.equal(e.reason, 'BadRequest');
    });
  }

  it('reports upstream messages', () => {
    assert.equal(parseError('x=a b').message, "found 'b', expected: ',' or 'end of string'");
    assert.equal(parseError(',x').message, "found ',', expected: !, identifier, or 'end of string'");
    assert.equal(parseError('x,').message, "found '', expected: identifier after ','");
    assert.equal(parseError('!x=a').message, "found '=', expected: ',' or 'end of string'");
    assert.equal(
      parseError('x (').message,
      "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt",
    );
    assert.equal(
      parseError('a in (xyz abc)').message,
      "unable to parse requirement: found 'abc', expected: ',' or ')'",
    );
    assert.equal(
      parseError('x<a').message,
      "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    );
    assert.match(
      parseError('-x').message,
      /^unable to parse requirement: key: Invalid value: "-x": name part must consist of alphanumeric characters/,
    );
    assert.match(
      parseError('x=a_').message,
      /^unable to parse requirement: values\[0\]: Invalid value: "a_": a valid label must be an empty string or consist of/,
    );
  });

  it('matches with set semantics', () => {
    const sel = parseLabelSelector('app=web,tier in (fe,be),!legacy,env!=prod,version>2');
    assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'dev', version: '3' }), true);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', version: '3' }), true, '!= matches a missing key');
    assert.equal(sel.matches({ app: 'web', tier: 'db', version: '3' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', version: '3', legacy: '' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', env: 'prod', version: '3' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', version: '2' }), false);
    assert.equal(sel.matches({ app: 'web', tier: 'fe', version: 'x' }), false);
    assert.equal(parseLabelSelector('x notin (a)').matches({}), true);
    assert.equal(parseLabelSelector('x in ()').matches({ x: '' }), true);
    assert.equal(parseLabelSelector('x=').matches({ x: '' }), true);
    assert.equal(parseLabelSelector('x=').matches({}), false);
  });

  it('treats the empty string as match-everything', () => {
    const sel = parseLabelSelector('  ');
    assert.equal(sel.empty(), true);
    assert.equal(sel.matches(undefined), true);
  });
});
