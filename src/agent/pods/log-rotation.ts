// Container log rotation (the kubelet's container log manager): every interval, each running container's CRI
// log larger than maxSizeBytes is renamed to `<log>.1` (older ones shift to `.2`, `.3`, ...; higher N older,
// as the log reader expects) and the runtime is asked to reopen the log so it writes a fresh file. At most
// maxFiles files per container remain, the live one included.
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ContainerRuntime } from '../runtime/index.js';

export const DEFAULT_CONTAINER_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_CONTAINER_LOG_MAX_FILES = 5;
export const DEFAULT_LOG_ROTATION_INTERVAL_MS = 10_000;

export type RotatingRuntime = Pick<ContainerRuntime, 'listContainers' | 'containerStatus' | 'reopenContainerLog'>;

export interface LogRotationOptions {
  runtime: RotatingRuntime;
  maxSizeBytes?: number;
  /** Files kept per container, the live log included (at least 2). */
  maxFiles?: number;
  intervalMs?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Rotated files of a log, `[index, path]`, newest (lowest index) first. */
async function rotatedFiles(logPath: string): Promise<[number, string][]> {
  const dir = dirname(logPath);
  const prefix = `${basename(logPath)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n): [number, string] => [Number(n.slice(prefix.length)), join(dir, n)])
    .sort((a, b) => a[0] - b[0]);
}

/** Renames `log` to `log.1` after shifting older files, dropping those beyond `maxFiles - 1` rotated ones. */
export async function rotateLogFile(logPath: string, maxFiles: number): Promise<void> {
  const keep = Math.max(1, maxFiles - 1);
  const rotated = await rotatedFiles(logPath);
  for (const [i, path] of rotated) if (i >= keep) await unlink(path).catch(() => undefined);
  for (const [i, path] of rotated.filter(([i]) => i < keep).reverse()) await rename(path, `${logPath}.${i + 1}`);
  await rename(logPath, `${logPath}.1`);
}

export class ContainerLogRotator {
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly opts: LogRotationOptions) {
    this.maxSize = opts.maxSizeBytes ?? DEFAULT_CONTAINER_LOG_MAX_SIZE;
    this.maxFiles = Math.max(2, opts.maxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES);
  }

  start(): void {
    if (!this.opts.runtime.reopenContainerLog || this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.rotateAll().then(() => {
        this.running = undefined;
      });
    }, this.opts.intervalMs ?? DEFAULT_LOG_ROTATION_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over the running containers; returns the ids whose log was rotated. */
  async rotateAll(): Promise<string[]> {
    const rt = this.opts.runtime;
    if (!rt.reopenContainerLog) return [];
    const done: string[] = [];
    const containers = await rt.listContainers().catch(() => []);
    for (const c of containers) {
      if (c.state !== 'running') continue;
      try {
        const { logPath } = await rt.containerStatus(c.id);
        if (!logPath) continue;
        const size = (await stat(logPath).catch(() => undefined))?.size ?? 0;
        if (size <= this.maxSize) continue;
        await rotateLogFile(logPath, this.maxFiles);
        try {
          await rt.reopenContainerLog(c.id);
        } catch (err) {
          // As the kubelet does: put the file back so the runtime's writes stay visible.
          await rename(`${logPath}.1`, logPath).catch(() => undefined);
          throw err;
        }
        done.push(c.id);
        this.opts.log?.('container log rotated', { container: c.id, size });
      } catch (err) {
        this.opts.log?.('container log rotation failed', { container: c.id, error: String(err) });
      }
    }
    return done;
  }
}
