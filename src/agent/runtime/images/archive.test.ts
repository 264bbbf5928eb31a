// The image build scripts produce reproducible docker-archive tars with the expected layout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { findImageScriptsDir } from './import.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-images-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hasGcc(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v gcc'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tarEntry(tar: string, entry: string): string {
  return execFileSync('tar', ['-xOf', tar, entry], { encoding: 'utf8' });
}

test('pause image: one static /pause layer, named and reproducible', { skip: hasGcc() ? false : 'gcc missing' }, () => {
  const scripts = findImageScriptsDir();
  const a = join(dir, 'a.tar');
  const b = join(dir, 'b.tar');
  execFileSync('bash', [join(scripts, 'build-pause-image.sh'), a, 'localhost/test/pause:1']);
  execFileSync('bash', [join(scripts, 'build-pause-image.sh'), b, 'localhost/test/pause:1']);
  assert.deepEqual(readFileSync(a), readFileSync(b));

  const [manifest] = JSON.parse(tarEntry(a, 'manifest.json')) as {
    Config: string;
    RepoTags: string[];
    Layers: string[];
  }[];
  assert.deepEqual(manifest!.RepoTags, ['localhost/test/pause:1']);
  assert.equal(manifest!.Layers.length, 1);
  const config = JSON.parse(tarEntry(a, manifest!.Config));
  assert.deepEqual(config.config.Cmd, ['/pause']);
  assert.equal(config.os, 'linux');
  assert.match(config.rootfs.diff_ids[0], /^sha256:[0-9a-f]{64}$/);
  const files = execFileSync('sh', ['-c', `tar -xOf ${a} ${manifest!.Layers[0]} | tar -t`], { encoding: 'utf8' });
  assert.deepEqual(files.trim().split('\n'), ['./', './pause']);
});
