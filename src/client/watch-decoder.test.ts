import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type WatchEvent, WatchLineDecoder } from './watch-decoder.js';

describe('WatchLineDecoder', () => {
  it('reassembles events split across chunks at any byte', () => {
    const lines = [
      { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'ü-b', resourceVersion: '2' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '3' } } },
    ];
    const text = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    for (let size = 1; size <= text.length; size += 7) {
      const out: WatchEvent[] = [];
      const d = new WatchLineDecoder((e) => out.push(e));
      for (let i = 0; i < text.length; i += size) d.write(text.slice(i, i + size));
      d.end();
      assert.deepEqual(out, lines, `chunk size ${size}`);
    }
  });

  it('accepts a last line without newline and skips blank lines', () => {
    const out: WatchEvent[] = [];
    const d = new WatchLineDecoder((e) => out.push(e));
    d.write('\n{"type":"DELETED","object":{"metadata":{"name":"x"}}}');
    assert.equal(out.length, 0);
    d.end();
    assert.equal(out[0]?.type, 'DELETED');
  });

  it('rejects malformed events', () => {
    const d = new WatchLineDecoder(() => {});
    assert.throws(() => d.write('{"type":"WHAT","object":{}}\n'), /malformed/);
    assert.throws(() => d.write('{"type":"ADDED"}\n'), /without object/);
    assert.throws(() => d.write('not json\n'));
  });
});
