// The official Python client (Debian `python3-kubernetes`) against `tutti server` with its control plane:
// list, watch (the client's `watch=True`), patch, and delete with propagation (Foreground and Orphan,
// carried out by the garbage collector). The client runs src/e2e/python/client_checks.py; this test checks
// what it reports against the server.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, type TestServer, pollUntil, startTestServer } from './harness.js';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SCRIPT = join(ROOT, 'src', 'e2e', 'python', 'client_checks.py');

function skipReason(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import kubernetes'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} not found`;
  if (r.status !== 0) return 'python3-kubernetes is not installed (scripts/install-deps.sh installs it)';
  return undefined;
}

function runPython(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const skip = skipReason();

describe('the official Python client', { skip }, () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ controlPlane: true });
  });
  after(async () => {
    await s?.stop();
  });

  it('lists, watches, patches and deletes with propagation', async () => {
    const ns = 'py';
    const r = await runPython([s.kubeconfig, ns], 90_000);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      namespaces: string[];
      listed: string[];
      events: [string, string, string][];
      patched: { labels: Record<string, string>; k: string };
      'delete-Foreground': string;
      'delete-Orphan': string;
    };
    for (const n of ['default', 'kube-system', 'kube-public']) assert.ok(out.namespaces.includes(n));
    assert.deepEqual(out.listed, ['first']);
    // The watch saw the later create and patch, in order, and nothing it should not have.
    assert.deepEqual(out.events, [
      ['ADDED', 'second', 'v1'],
      ['MODIFIED', 'second', 'v2'],
    ]);
    assert.deepEqual(out.patched, { labels: { from: 'python' }, k: 'patched' });
    const first = JSON.parse((await s.request('GET', `/api/v1/namespaces/${ns}/configmaps/first`)).body);
    assert.equal(first.data.k, 'patched');
    assert.equal(first.metadata.labels.from, 'python');

    const get = (name: string) => s.request('GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
    // Foreground: the dependent goes first, then the owner.
    await pollUntil(
      'the foreground owner and its dependent gone',
      async () => {
        return (await get('dependent-foreground')).status === 404 && (await get('owner-foreground')).status === 404;
      },
      30_000,
    );
    // Orphan: the owner goes, the dependent stays without its owner reference.
    await pollUntil('the orphaning owner gone', async () => (await get('owner-orphan')).status === 404, 30_000);
    const orphan = await get('dependent-orphan');
    assert.equal(orphan.status, 200);
    // Upstream drops the emptied list (omitempty); Tutti's garbage collector leaves `[]`: either means none.
    assert.deepEqual(JSON.parse(orphan.body).metadata.ownerReferences ?? [], []);
  });
});
