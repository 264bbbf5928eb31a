import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tuttiCommandDataDir } from './killall.js';

test('killall finds the server and agent commands of a data dir, however they were started', () => {
  const d = (argv: string[], cwd = '/home/me') => tuttiCommandDataDir(argv, cwd, '/var/lib/tutti');
  assert.equal(d(['node', '/opt/tutti/bin/tutti.js', 'server', '--data-dir', '/srv/t']), '/srv/t');
  assert.equal(d(['tutti', 'agent', '--server', 'https://x', '--data-dir=/srv/t/']), '/srv/t');
  assert.equal(d(['/usr/bin/node', 'bin/tutti.js', 'server', '--data-dir', 'rel']), '/home/me/rel');
  assert.equal(d(['tutti', 'server']), '/var/lib/tutti');
  assert.equal(d(['tutti', 'agent', '--simulate', '100']), undefined);
  assert.equal(d(['tutti', 'kubectl', 'get', 'pods']), undefined);
  assert.equal(d(['node', 'other.js', 'server', '--data-dir', '/srv/t']), undefined);
});
