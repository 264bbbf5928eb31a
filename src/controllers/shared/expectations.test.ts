import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../../client/index.js';
import { EXPECTATIONS_TTL_MS, Expectations } from './expectations.js';

test('no expectations: satisfied; observations without an entry change nothing', () => {
  const e = new Expectations(new FakeClock(0));
  e.creationObserved('ns/a');
  e.deletionObserved('ns/a');
  assert.equal(e.satisfied('ns/a'), true);
  e.expect('ns/a', 1, 0);
  assert.equal(e.satisfied('ns/a'), false, 'earlier observations are not banked');
});

test('counted (daemonset, job): any add or delete lowers the counts; satisfied when both reach zero', () => {
  const e = new Expectations(new FakeClock(0));
  e.expect('ns/ds', 2, 1);
  e.creationObserved('ns/ds');
  e.deletionObserved('ns/ds');
  assert.equal(e.satisfied('ns/ds'), false);
  // A create that failed will never be observed: the controller lowers the count itself.
  e.creationObserved('ns/ds');
  assert.equal(e.satisfied('ns/ds'), true);
  // Extra observations keep it satisfied, and the next expect starts afresh.
  e.creationObserved('ns/ds');
  assert.equal(e.satisfied('ns/ds'), true);
  e.expect('ns/ds', 1, 0);
  assert.equal(e.satisfied('ns/ds'), false);
  e.creationObserved('ns/ds');
  assert.equal(e.satisfied('ns/ds'), true);
  e.expect('ns/ds', 0, 0);
  assert.equal(e.satisfied('ns/ds'), true, 'nothing asked for');
});

test('tracked deletions (replicaset): only the named pods count, each once', () => {
  const e = new Expectations(new FakeClock(0));
  e.expectDeletions('ns/rs', ['ns/p1', 'ns/p2']);
  e.deletionObserved('ns/rs', 'ns/p1');
  e.deletionObserved('ns/rs', 'ns/p1');
  e.deletionObserved('ns/rs', 'ns/other');
  e.deletionObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false);
  e.deletionObserved('ns/rs', 'ns/p2');
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 2);
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), false, 'creations replace the tracked deletions');
  e.creationObserved('ns/rs');
  assert.equal(e.satisfied('ns/rs'), true);
});

test('expectations expire after the TTL; delete forgets them; keys are independent', () => {
  const clock = new FakeClock(1000);
  const e = new Expectations(clock);
  e.expect('ns/a', 1, 0);
  e.expectDeletions('ns/b', ['ns/p']);
  clock.advance(EXPECTATIONS_TTL_MS);
  assert.equal(e.satisfied('ns/a'), false, 'not before the TTL has passed');
  clock.advance(1);
  assert.equal(e.satisfied('ns/a'), true, 'expired');
  assert.equal(e.satisfied('ns/b'), true, 'expired');
  e.expect('ns/a', 1, 0);
  assert.equal(e.satisfied('ns/a'), false, 'a new expectation restarts the clock');
  e.delete('ns/a');
  assert.equal(e.satisfied('ns/a'), true);
  const short = new Expectations(clock, 10);
  short.expect('ns/c', 1, 0);
  clock.advance(11);
  assert.equal(short.satisfied('ns/c'), true, 'custom TTL');
});
