// util/rand.String's counterpart: generated name suffixes in upstream's alphabet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomSuffix, SAFE_ALPHABET } from './names.js';

describe('randomSuffix', () => {
  it('draws n characters of the safe alphabet, spread over all of it', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = randomSuffix();
      assert.match(s, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      for (const c of s) seen.add(c);
    }
    assert.equal(seen.size, SAFE_ALPHABET.length);
    assert.equal(randomSuffix(8).length, 8);
  });

  it('takes its randomness from the function it is given', () => {
    assert.equal(
      randomSuffix(5, () => 0),
      'bbbbb',
    );
    assert.equal(
      randomSuffix(3, () => 0.9999),
      '999',
    );
  });
});
