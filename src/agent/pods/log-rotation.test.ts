import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ContainerStatus, ContainerSummary } from '../runtime/index.js';
import { ContainerLogRotator, type RotatingRuntime, rotateLogFile } from './log-rotation.js';

function fakeRuntime(logPath: string, reopen?: (id: string) => Promise<void>): RotatingRuntime {
  const running = { id: 'c1', state: 'running' } as ContainerSummary;
  const exited = { id: 'c2', state: 'exited' } as ContainerSummary;
  return {
    listContainers: async () => [running, exited],
    containerStatus: async (id) => ({ id, logPath }) as ContainerStatus,
    ...(reopen ? { reopenContainerLog: reopen } : {}),
  };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logrot-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'rotateLogFile shifts older files up (higher N older) and keeps maxFiles - 1 rotated ones',
  withDir(async (dir) => {
    const log = join(dir, '0.log');
    for (let gen = 1; gen <= 6; gen++) {
      writeFileSync(log, `gen${gen}\n`);
      await rotateLogFile(log, 3);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['0.log.1', '0.log.2']);
    assert.equal(readFileSync(`${log}.1`, 'utf8'), 'gen6\n');
    assert.equal(readFileSync(`${log}.2`, 'utf8'), 'gen5\n');
  }),
);

test(
  'the rotator rotates only running containers over the limit, then asks the runtime to reopen',
  withDir(async (dir) => {
    const log = join(dir, '0.log');
    const reopened: string[] = [];
    const rotator = new ContainerLogRotator({
      runtime: fakeRuntime(log, async (id) => {
        reopened.push(id);
        writeFileSync(log, ''); // what the runtime does: a fresh file
      }),
      maxSizeBytes: 10,
      maxFiles: 2,
    });
    writeFileSync(log, 'small\n');
    assert.deepEqual(await rotator.rotateAll(), []);
    writeFileSync(log, 'more than ten bytes\n');
    assert.deepEqual(await rotator.rotateAll(), ['c1']);
    assert.deepEqual(reopened, ['c1']);
    assert.equal(readFileSync(`${log}.1`, 'utf8'), 'more than ten bytes\n');
    assert.equal(readFileSync(log, 'utf8'), '');
  }),
);

test(
  'a failed reopen puts the log back; runtimes without reopen are never rotated',
  withDir(async (dir) => {
    const log = join(dir, '0.log');
    writeFileSync(log, 'more than ten bytes\n');
    const failing = new ContainerLogRotator({
      runtime: fakeRuntime(log, async () => {
        throw new Error('unimplemented');
      }),
      maxSizeBytes: 10,
    });
    assert.deepEqual(await failing.rotateAll(), []);
    assert.deepEqual(readdirSync(dir), ['0.log']);
    const unable = new ContainerLogRotator({ runtime: fakeRuntime(log), maxSizeBytes: 10 });
    assert.deepEqual(await unable.rotateAll(), []);
    assert.deepEqual(readdirSync(dir), ['0.log']);
  }),
);
