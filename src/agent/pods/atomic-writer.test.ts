import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PayloadError, writeAtomically } from './atomic-writer.js';

const files = (m: Record<string, string>) => Object.entries(m).map(([path, v]) => ({ path, content: Buffer.from(v) }));

test('AtomicWriter layout: ..<time> dir, ..data symlink, one symlink per key; updates swap ..data in place', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-atomic-'));
  try {
    const ino = statSync(dir).ino;
    assert.equal(writeAtomically(dir, files({ a: '1', 'sub/b': '2' }), 0o644), true);
    const ts = readlinkSync(join(dir, '..data'));
    assert.match(ts, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[0-9a-f]+$/);
    assert.equal(readlinkSync(join(dir, 'a')), join('..data', 'a'));
    assert.equal(readlinkSync(join(dir, 'sub')), join('..data', 'sub'));
    assert.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), '2');
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o644);

    // Same payload: nothing written, same timestamped dir.
    assert.equal(writeAtomically(dir, files({ a: '1', 'sub/b': '2' }), 0o644), false);
    assert.equal(readlinkSync(join(dir, '..data')), ts);

    // Changed payload: new dir, old one gone, removed key gone, directory itself the same (it is bind-mounted).
    assert.equal(writeAtomically(dir, files({ a: '3', c: '4' }), 0o600), true);
    const ts2 = readlinkSync(join(dir, '..data'));
    assert.notEqual(ts2, ts);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), '3');
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), '4');
    assert.equal(statSync(join(dir, 'c')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir).sort(), ['..data', ts2, 'a', 'c'].sort());
    assert.equal(statSync(dir).ino, ino);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory of plain files (an older agent) becomes the atomic layout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-atomic-'));
  try {
    writeFileSync(join(dir, 'a'), 'old');
    writeAtomically(dir, files({ a: 'new' }), 0o644);
    assert.ok(lstatSync(join(dir, 'a')).isSymbolicLink());
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'new');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('paths leaving the volume are refused before anything is written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-atomic-'));
  try {
    for (const p of ['../x', '/etc/passwd', '..hidden', 'a/../../x']) {
      assert.throws(() => writeAtomically(dir, files({ [p]: 'x' }), 0o644), PayloadError, p);
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
