import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Answer } from 'dns-packet';
import { type CachedReply, cacheSeconds, ReplyCache } from './cache.js';

const a = (ttl: number): Answer => ({ type: 'A', name: 'x.example', ttl, class: 'IN', data: '192.0.2.1' });
const soa = (ttl: number, minimum: number): Answer => ({
  type: 'SOA',
  name: 'example',
  ttl,
  data: { mname: 'ns', rname: 'h', serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});
const positive = (ttl: number): CachedReply => ({
  rcode: 'NOERROR',
  answers: [a(ttl)],
  authorities: [],
  additionals: [],
  authenticData: false,
});

describe('ReplyCache', () => {
  it('keeps answers for their smallest TTL, negative ones for the SOA negative TTL', () => {
    assert.equal(cacheSeconds({ ...positive(300), answers: [a(300), a(60)] }), 60);
    assert.equal(cacheSeconds(positive(86400)), 3600);
    assert.equal(cacheSeconds({ ...positive(0), rcode: 'NXDOMAIN', answers: [], authorities: [soa(900, 60)] }), 60);
    assert.equal(cacheSeconds({ ...positive(0), answers: [], authorities: [soa(30, 600)] }), 30);
    assert.equal(cacheSeconds({ ...positive(0), rcode: 'NXDOMAIN', answers: [], authorities: [] }), 0);
    assert.equal(cacheSeconds(positive(0)), 0);
  });

  it('counts TTLs down and expires entries', () => {
    let now = 1_000_000;
    const cache = new ReplyCache({ now: () => now });
    cache.set('k', positive(10));
    now += 4_500;
    assert.equal((cache.get('k')!.answers[0] as { ttl: number }).ttl, 6);
    now += 5_500;
    assert.equal(cache.get('k'), undefined);
    assert.equal(cache.size, 0);
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new ReplyCache({ maxEntries: 2 });
    cache.set('a', positive(60));
    cache.set('b', positive(60));
    cache.get('a');
    cache.set('c', positive(60));
    assert.ok(cache.get('a'));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('c'));
  });

  it('keys by lower-cased name, type, class and DO bit', () => {
    assert.equal(ReplyCache.key('WWW.Example', 'A', 'IN', false), ReplyCache.key('www.example', 'A', 'IN', false));
    assert.notEqual(ReplyCache.key('x', 'A', 'IN', false), ReplyCache.key('x', 'A', 'IN', true));
  });
});
