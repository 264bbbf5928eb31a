import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { normalizeTimestamp, parseCriLogLine } from './cri-log.js';
import { type LogReadOptions, streamCriLogs } from './log-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rec(second: number, text: string, tag = 'F', stream = 'stdout'): string {
  return `2026-11-26T08:40:${String(second).padStart(2, '0')}.5Z ${stream} ${tag} ${text}\n`;
}

async function read(path: string, opts: LogReadOptions): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await streamCriLogs(path, opts, out);
  return Buffer.concat(chunks).toString();
}

describe('CRI log lines', () => {
  test('parse stream, tag, content and normalize timestamps', () => {
    const r = parseCriLogLine(Buffer.from('2026-11-26T08:40:17.942873202Z stderr P half'))!;
    assert.equal(r.stream, 'stderr');
    assert.equal(r.partial, true);
    assert.equal(r.content.toString(), 'half');
    assert.equal(parseCriLogLine(Buffer.from('2026-11-26T08:40:17Z stdout F '))!.content.length, 0);
    assert.equal(parseCriLogLine(Buffer.from('garbage line')), undefined);
    assert.equal(normalizeTimestamp('2026-11-26T08:40:17.9Z'), '2026-11-26T08:40:17.900000000Z');
    assert.equal(normalizeTimestamp('2026-11-26T09:40:17.1+01:00'), '2026-11-26T08:40:17.100000000Z');
  });
});

describe('streamCriLogs', () => {
  const log = join(dir, 'c', '0.log');
  const lines = Array.from({ length: 10 }, (_, i) => rec(i, `line ${i}`));

  test('reads rotated files oldest first, joins partial records, honours tail/since/limit/timestamps', async () => {
    rmSync(join(dir, 'c'), { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'c'));
    writeFileSync(`${log}.2`, lines.slice(0, 3).join(''));
    writeFileSync(`${log}.1`, lines.slice(3, 6).join(''));
    writeFileSync(log, lines.slice(6).join('') + rec(10, 'par', 'P') + rec(10, 'tial'));
    const all = await read(log, {});
    assert.equal(all, `${Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n')}\npartial\n`);
    // tail counts file lines (a partial record is one), across rotated files
    assert.equal(await read(log, { tailLines: 2 }), 'partial\n');
    assert.equal(await read(log, { tailLines: 7 }), 'line 5\nline 6\nline 7\nline 8\nline 9\npartial\n');
    assert.equal(await read(log, { tailLines: 0 }), '');
    assert.equal((await read(log, { tailLines: 100 })).split('\n').length, 12);
    assert.equal(await read(log, { since: new Date('2026-11-26T08:40:08.000Z') }), 'line 8\nline 9\npartial\n');
    assert.equal(await read(log, { limitBytes: 10 }), 'line 0\nlin');
    assert.equal(await read(log, { tailLines: 1, timestamps: true }), '2026-11-26T08:40:10.500000000Z tial\n');
  });

  test('follow streams appended lines, follows a rotation, and ends when the container stops', async () => {
    const f = join(dir, 'follow.log');
    writeFileSync(f, rec(1, 'first'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => {
      text += c.toString();
    });
    let running = true;
    const ac = new AbortController();
    const done = streamCriLogs(f, { follow: true }, out, {
      signal: ac.signal,
      pollMs: 20,
      isRunning: async () => running,
    });
    await sleep(60);
    assert.equal(text, 'first\n');
    appendFileSync(f, rec(2, 'second'));
    await sleep(80);
    assert.equal(text, 'first\nsecond\n');
    // Rotation: a line lands in the old file after it was renamed, then the new file starts.
    renameSync(f, `${f}.1`);
    appendFileSync(`${f}.1`, rec(3, 'late in old file'));
    writeFileSync(f, rec(4, 'new file'));
    await sleep(100);
    assert.equal(text, 'first\nsecond\nlate in old file\nnew file\n');
    running = false;
    appendFileSync(f, rec(5, 'last words'));
    const t0 = Date.now();
    await done;
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(text, 'first\nsecond\nlate in old file\nnew file\nlast words\n');
  });

  test('follow stops when the client aborts', async () => {
    const f = join(dir, 'abort.log');
    writeFileSync(f, rec(1, 'x'));
    const ac = new AbortController();
    const out = new PassThrough();
    out.resume();
    const done = streamCriLogs(f, { follow: true }, out, { signal: ac.signal, pollMs: 20 });
    await sleep(50);
    ac.abort();
    await done;
  });
});
