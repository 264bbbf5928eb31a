import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../core/status.js';
import { parseIntError, queryBool, queryInt } from './query.js';

describe('query parameters as upstream decodes them', () => {
  it('reads booleans as Convert_Slice_string_To_bool: only absent, 0 and false (any case) are false', () => {
    const q = (s: string) => new URLSearchParams(s);
    for (const v of ['true', 'True', 'TRUE', '1', 't', 'yes', ''])
      assert.equal(queryBool(q(`watch=${v}`), 'watch'), true, v);
    for (const v of ['false', 'False', 'FALSE', 'fAlSe', '0'])
      assert.equal(queryBool(q(`watch=${v}`), 'watch'), false, v);
    assert.equal(queryBool(q('other=1'), 'watch'), undefined);
    // The first value counts.
    assert.equal(queryBool(q('watch=false&watch=true'), 'watch'), false);
  });
  it('reads integers as strconv.ParseInt(s, 10, 64) and answers the rest with 400', () => {
    assert.equal(queryInt(new URLSearchParams('t=30'), 't'), 30);
    assert.equal(queryInt(new URLSearchParams('t=-1'), 't'), -1);
    assert.equal(queryInt(new URLSearchParams('t=%2B5'), 't'), 5);
    assert.equal(queryInt(new URLSearchParams(''), 't'), undefined);
    for (const v of ['', '1.5', '0x10', ' 1', 'abc']) {
      assert.throws(
        () => queryInt(new URLSearchParams({ t: v }), 't'),
        (e: unknown) =>
          e instanceof StatusError &&
          e.code === 400 &&
          e.message === `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`,
        v,
      );
    }
    assert.equal(parseIntError('9223372036854775807'), undefined);
    assert.equal(
      parseIntError('9223372036854775808'),
      'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    );
  });
});
