// Reads a container's CRI log files for `kubectl logs`: rotated files (`<log>.N`, higher N older) then the
// current one, with tailLines / since / limitBytes / timestamps, and follow mode that survives rotation
// (when the current file is renamed away, the old descriptor is drained before the new file is opened).
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { rfc3339Nano } from '../../core/time.js';
import { formatCriLogRecord, parseCriLogLine } from './cri-log.js';

export interface LogReadOptions {
  follow?: boolean;
  tailLines?: number;
  /** Only records at or after this time. */
  since?: Date;
  /** Only records strictly before this RFC 3339 (nine-digit, UTC) time; for attach, which splits a log at a moment. */
  before?: string;
  timestamps?: boolean;
  limitBytes?: number;
}

export interface LogReadControl {
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /** Follow ends once this says false and the file is drained (the container exited). */
  isRunning?: () => Promise<boolean>;
  pollMs?: number;
  /**
   * Write `{ stream, text }` objects (out in object mode) instead of bare text, for readers that keep stdout and
   * stderr apart (attach).
   */
  tagged?: boolean;
}

/** What a tagged reader writes per record. */
export interface TaggedLogText {
  stream: 'stdout' | 'stderr';
  text: Buffer;
}

const CHUNK = 64 * 1024;

/** Rotated files of a log, oldest first: `<log>.5`, ..., `<log>.1` (the pod workers' rotation scheme). */
export async function rotatedLogPaths(logPath: string): Promise<string[]> {
  const dir = dirname(logPath);
  const prefix = `${basename(logPath)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ n, i: Number(n.slice(prefix.length)) }))
    .sort((a, b) => b.i - a.i)
    .map(({ n }) => join(dir, n));
}

/** Offset where the last `n` lines of a file start, and how many lines were found (fewer when the file is short). */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<{ offset: number; found: number }> {
  if (n <= 0) return { offset: size, found: 0 };
  if (size === 0) return { offset: 0, found: 0 };
  const buf = Buffer.alloc(CHUNK);
  let end = size;
  let found = 0;
  let skipLastNewline = true;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const len = end - start;
    await fh.read(buf, 0, len, start);
    for (let i = len - 1; i >= 0; i--) {
      if (skipLastNewline) {
        skipLastNewline = false;
        if (buf[i] === 0x0a) continue;
      }
      if (buf[i] === 0x0a) {
        found++;
        if (found === n) return { offset: start + i + 1, found };
      }
    }
    end = start;
  }
  return { offset: 0, found: found + 1 };
}

/** Writes log text to `out` until done (not following), the limit is reached, or the signal aborts. */
export async function streamCriLogs(
  logPath: string,
  opts: LogReadOptions,
  out: Writable,
  ctl: LogReadControl = {},
): Promise<void> {
  if (opts.tailLines === 0 && !opts.follow) return;
  const sink = new LogSink(out, opts, ctl.signal, ctl.tagged === true);
  const files = [...(await rotatedLogPaths(logPath)), logPath];
  let first = 0;
  let firstOffset = 0;
  // Without follow, the answer is a snapshot: the live file is read up to the size it had when the tail was
  // measured, so lines written meanwhile do not make `--tail=N` return more than N lines.
  let snapshotEnd: number | undefined;
  if (opts.tailLines === 0) {
    // Only new lines (follow): start at the current end.
    first = files.length - 1;
    firstOffset = (await stat(logPath).catch(() => undefined))?.size ?? 0;
  } else if (opts.tailLines !== undefined) {
    let need = opts.tailLines;
    first = files.length;
    for (let i = files.length - 1; i >= 0 && need > 0; i--) {
      const fh = await openIfExists(files[i]!);
      if (!fh) continue;
      try {
        const { size } = await fh.stat();
        if (i === files.length - 1 && !opts.follow) snapshotEnd = size;
        const t = await tailStart(fh, size, need);
        first = i;
        firstOffset = t.offset;
        need -= t.found;
      } finally {
        await fh.close();
      }
    }
  }
  // Rotated files are complete: read them to their end.
  for (let i = first; i < files.length - 1 && !sink.done; i++) {
    const fh = await openIfExists(files[i]!);
    if (!fh) continue;
    try {
      await readToEnd(fh, i === first ? firstOffset : 0, sink);
      sink.flushPending();
    } finally {
      await fh.close();
    }
  }
  if (sink.done) return;
  await readCurrent(
    logPath,
    first === files.length - 1 ? firstOffset : 0,
    opts.follow === true,
    sink,
    ctl,
    snapshotEnd,
  );
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch {
    return undefined;
  }
}

/** Reads from `offset` to the current end; returns the new position. */
async function readToEnd(
  fh: FileHandle,
  offset: number,
  sink: LogSink,
  end = Number.POSITIVE_INFINITY,
): Promise<number> {
  const buf = Buffer.alloc(CHUNK);
  let pos = offset;
  while (!sink.done && pos < end) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos), pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    await sink.push(buf.subarray(0, bytesRead));
  }
  return pos;
}

async function readCurrent(
  path: string,
  offset: number,
  follow: boolean,
  sink: LogSink,
  ctl: LogReadControl,
  end?: number,
) {
  let fh = await openIfExists(path);
  let ino = fh ? (await fh.stat()).ino : -1;
  let pos = offset;
  const pollMs = ctl.pollMs ?? 100;
  let lastRunningCheck = 0;
  try {
    for (;;) {
      if (fh) pos = await readToEnd(fh, pos, sink, end);
      if (!follow || sink.done) return;
      // The container's state is checked at most once a second; when it stopped, one more drain ends follow.
      if (ctl.isRunning && Date.now() - lastRunningCheck > 1000) {
        lastRunningCheck = Date.now();
        if (!(await ctl.isRunning().catch(() => false))) {
          if (fh) await readToEnd(fh, pos, sink);
          sink.flushPending();
          return;
        }
      }
      await sleep(pollMs, undefined, { signal: ctl.signal }).catch(() => undefined);
      if (ctl.signal?.aborted) return;
      const st = await stat(path).catch(() => undefined);
      if (!st) continue;
      if (st.ino !== ino) {
        // Rotated: finish the renamed file through the old descriptor, then start the new one.
        if (fh) {
          await readToEnd(fh, pos, sink);
          sink.flushPending();
          await fh.close();
        }
        fh = await openIfExists(path);
        ino = fh ? (await fh.stat()).ino : -1;
        pos = 0;
      } else if (st.size < pos) {
        pos = 0; // truncated in place
      }
    }
  } finally {
    await fh?.close();
  }
}

/** Splits bytes into lines, filters and formats records, and enforces limitBytes with backpressure. */
class LogSink {
  done = false;
  private carry: Buffer = Buffer.alloc(0);
  private written = 0;
  private readonly since?: string;

  constructor(
    private readonly out: Writable,
    private readonly opts: LogReadOptions,
    private readonly signal?: AbortSignal,
    private readonly tagged = false,
  ) {
    if (opts.since) this.since = rfc3339Nano(opts.since);
    if (opts.limitBytes !== undefined && opts.limitBytes <= 0) this.done = true;
  }

  async push(chunk: Buffer): Promise<void> {
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let nl = data.indexOf(0x0a);
    while (nl >= 0 && !this.done) {
      await this.line(data.subarray(0, nl));
      data = data.subarray(nl + 1);
      nl = data.indexOf(0x0a);
    }
    this.carry = Buffer.from(data);
  }

  /** A file ended without a newline (rotation mid-write): treat what is left as a line. */
  flushPending(): void {
    if (this.carry.length) {
      const rest = this.carry;
      this.carry = Buffer.alloc(0);
      void this.line(rest);
    }
  }

  private async line(raw: Buffer): Promise<void> {
    if (this.signal?.aborted || this.out.destroyed) {
      this.done = true;
      return;
    }
    const rec = parseCriLogLine(raw);
    if (!rec) return;
    if (this.since && rec.timestamp < this.since) return;
    if (this.opts.before && rec.timestamp >= this.opts.before) return;
    let text = formatCriLogRecord(rec, this.opts.timestamps === true);
    if (this.opts.limitBytes !== undefined) {
      const left = this.opts.limitBytes - this.written;
      if (text.length >= left) {
        text = text.subarray(0, left);
        this.done = true;
      }
    }
    this.written += text.length;
    const chunk: Buffer | TaggedLogText = this.tagged ? { stream: rec.stream, text } : text;
    if (!this.out.write(chunk) && !this.done) {
      await new Promise<void>((resolve) => {
        const finish = () => {
          this.out.off('drain', finish);
          this.out.off('close', finish);
          resolve();
        };
        this.out.on('drain', finish);
        this.out.on('close', finish);
      });
    }
  }
}
