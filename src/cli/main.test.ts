// The real `tutti` command as a child process: usage errors are one line on stderr with exit code 2, and
// every command's --help exits 0.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TUTTI_BIN } from '../e2e/harness.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tutti(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TUTTI_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const hasKubectl = spawnSync('sh', ['-c', 'command -v kubectl']).status === 0;

describe('tutti command line', () => {
  // A data dir of its own: a server that wrongly started would write here, not to ~/.tutti.
  const dataDir = mkdtempSync(join(tmpdir(), 'tutti-cli-test-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const usageCases: { args: string[]; message: string; command: string }[] = [
    { args: ['server', '--bogus'], message: 'unknown flag --bogus', command: 'server' },
    { args: ['server', '--port'], message: 'flag --port needs a value', command: 'server' },
    { args: ['server', '--port', 'abc'], message: 'flag --port must be a number, got "abc"', command: 'server' },
    {
      args: ['server', '--agent-port=x1'],
      message: 'flag --agent-port must be a number, got "x1"',
      command: 'server',
    },
    { args: ['server', 'stray'], message: 'unexpected argument "stray"', command: 'server' },
    {
      args: ['server', '--authorization-webhook-cache-unauthorized-ttl', 'soon'],
      message: 'flag --authorization-webhook-cache-unauthorized-ttl must be a duration such as 30s or 5m0s, got "soon"',
      command: 'server',
    },
    {
      args: ['agent', '--server', 'https://x', '--token', 't', '--authentication-token-webhook-cache-ttl=-1s'],
      message: 'flag --authentication-token-webhook-cache-ttl must be a duration such as 30s or 5m0s, got "-1s"',
      command: 'agent',
    },
    { args: ['agent', '--server', 'https://x', '--nope'], message: 'unknown flag --nope', command: 'agent' },
    { args: ['agent', '--token'], message: 'flag --token needs a value', command: 'agent' },
    { args: ['agent'], message: '--server and --token are required', command: 'agent' },
    {
      args: ['agent', '--server', 'https://x', '--token', 't', '--client-ca-file', '/nonexistent/h4-ca.crt'],
      message: 'flag --client-ca-file: no file /nonexistent/h4-ca.crt',
      command: 'agent',
    },
    { args: ['image', 'export', 'x.tar'], message: 'unknown subcommand "export"', command: 'image' },
    { args: ['image', 'import'], message: 'import needs an image archive (FILE.tar)', command: 'image' },
  ];
  for (const c of usageCases) {
    it(`tutti ${c.args.join(' ')}: exit 2, one line naming the problem and --help`, async () => {
      const r = await tutti([...c.args, '--data-dir', dataDir]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `tutti ${c.command}: ${c.message}; see 'tutti ${c.command} --help'\n`);
    });
  }

  it('answers an unknown command with exit 2 and a pointer to --help', async () => {
    const r = await tutti(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `tutti: unknown command "frobnicate"; see 'tutti --help'\n`);
  });

  it('prints the usage to stderr with exit 2 when no command is given', async () => {
    const r = await tutti([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Usage: tutti <command>/);
  });

  it('did not start a server for any of the bad command lines', () => {
    assert.deepEqual(readdirSync(dataDir), []);
  });

  const helps = [
    ['--help'],
    ['help'],
    ['server', '--help'],
    ['server', '-h'],
    ['agent', '--help'],
    ['image', '--help'],
  ];
  for (const args of helps) {
    it(`tutti ${args.join(' ')}: usage on stdout, exit 0`, async () => {
      const r = await tutti(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: tutti/);
    });
  }

  it('tutti server --help wins over a bad flag', async () => {
    const r = await tutti(['server', '--bogus', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--data-dir DIR/);
  });

  it("tutti agent --simulate --help is the simulated agent's help, exit 0", async () => {
    const r = await tutti(['agent', '--simulate', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--simulate/);
  });

  it(
    'tutti kubectl --help passes through to kubectl, exit 0',
    { skip: hasKubectl ? undefined : 'no kubectl' },
    async () => {
      const r = await tutti(['kubectl', '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /kubectl/);
    },
  );
});
