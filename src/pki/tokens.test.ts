import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caHashOf, formatJoinToken, parseJoinToken, tokensEqual, verifyCaHash } from './tokens.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('join tokens', () => {
  it('formats K10<sha256 of the CA PEM>::server:<secret> and parses it back', () => {
    const token = formatJoinToken(CA, 'abc123');
    const hash = caHashOf(CA);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(token, `K10${hash}::server:abc123`);
    assert.deepEqual(parseJoinToken(token), { caHash: hash, secret: 'abc123' });
  });

  it('treats anything else as a bare secret without a CA pin', () => {
    assert.deepEqual(parseJoinToken('plain-secret\n'), { secret: 'plain-secret' });
  });

  it('rejects a K10 token with a malformed hash or empty secret', () => {
    assert.throws(() => parseJoinToken('K10nothex::server:x'), /malformed CA hash/);
    assert.throws(() => parseJoinToken(`K10${caHashOf(CA)}::server:`), /empty secret/);
  });

  it('verifyCaHash accepts the right PEM only', () => {
    const hash = caHashOf(CA);
    assert.equal(verifyCaHash(CA, hash), true);
    assert.equal(verifyCaHash(CA, hash.toUpperCase()), true);
    assert.equal(verifyCaHash(`${CA}\n`, hash), false);
    assert.equal(verifyCaHash(CA, 'deadbeef'), false);
  });

  it('tokensEqual compares exactly', () => {
    assert.equal(tokensEqual('abc', 'abc'), true);
    assert.equal(tokensEqual('abc', 'abd'), false);
    assert.equal(tokensEqual('abc', 'abcd'), false);
  });
});
