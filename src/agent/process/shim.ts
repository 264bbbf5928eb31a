// The process runtime's shim (as containerd-shim is for containerd): started detached by the runtime, it
// runs one container's command, writes its output to the log file in the CRI format, and records the exit,
// so containers outlive the agent that started them. Usage: node shim.js <containerStateDir>
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { constants } from 'node:os';
import { criLogLines } from './cri-log.js';

export interface ShimSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  logPath: string;
}

function writeJsonAtomic(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: shim.js <stateDir>');
  const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as ShimSpec;
  mkdirSync(dirname(spec.logPath), { recursive: true });
  const log = createWriteStream(spec.logPath, { flags: 'a' });
  let child: ReturnType<typeof spawn>;
  try {
    // Its own process group, so a stop signal reaches everything the command started.
    child = spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (err) {
    writeJsonAtomic(join(dir, 'exit.json'), {
      exitCode: 128,
      reason: 'StartError',
      message: String(err),
      finishedAt: Date.now(),
    });
    return;
  }
  const partial = { stdout: '', stderr: '' };
  const pump = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const { lines, rest } = criLogLines(partial[stream] + chunk.toString('utf8'), stream, new Date());
    partial[stream] = rest;
    if (lines) log.write(lines);
  };
  child.stdout!.on('data', pump('stdout'));
  child.stderr!.on('data', pump('stderr'));
  child.once('error', (err) => {
    log.write(criLogLines(`${err.message}\n`, 'stderr', new Date()).lines);
    writeJsonAtomic(join(dir, 'exit.json'), {
      exitCode: 128,
      reason: 'StartError',
      message: err.message,
      finishedAt: Date.now(),
    });
    log.end(() => process.exit(0));
  });
  child.once('spawn', () =>
    writeJsonAtomic(join(dir, 'started.json'), { pid: child.pid, shimPid: process.pid, startedAt: Date.now() }),
  );
  child.once('close', (code, signal) => {
    for (const s of ['stdout', 'stderr'] as const) {
      if (partial[s]) log.write(criLogLines(`${partial[s]}\n`, s, new Date()).lines);
    }
    const signum = signal ? ((constants.signals as Record<string, number>)[signal] ?? 9) : 0;
    const exitCode = signal ? 128 + signum : (code ?? 0);
    writeJsonAtomic(join(dir, 'exit.json'), { exitCode, finishedAt: Date.now() });
    log.end(() => process.exit(0));
  });
  // The shim outlives signals meant for the container: only the container's group gets them.
  process.on('SIGTERM', () => {});
  process.on('SIGINT', () => {});
  process.on('SIGHUP', () => {});
}

main();
