// The audit log file: one JSON event per line, rotated by size as upstream's --audit-log-maxsize (megabytes)
// and --audit-log-maxbackup (rotated files kept: path.1 is the newest).
import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';

export interface AuditFileOptions {
  path: string;
  /** Rotate when the file would pass this many megabytes (0: never). */
  maxSizeMB?: number;
  /** Rotated files to keep (default 10). */
  maxBackups?: number;
}

export class AuditFile {
  private fd: number;
  private size: number;
  private readonly maxBytes: number;
  private readonly maxBackups: number;

  constructor(private readonly opts: AuditFileOptions) {
    this.fd = openSync(opts.path, 'a', 0o600);
    this.size = statSync(opts.path).size;
    this.maxBytes = (opts.maxSizeMB ?? 100) * 1024 * 1024;
    this.maxBackups = opts.maxBackups ?? 10;
  }

  write(event: unknown): void {
    const line = `${JSON.stringify(event)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.maxBytes > 0 && this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
  }

  private rotate(): void {
    closeSync(this.fd);
    const p = this.opts.path;
    if (this.maxBackups <= 0) rmSync(p, { force: true });
    else {
      rmSync(`${p}.${this.maxBackups}`, { force: true });
      for (let i = this.maxBackups - 1; i >= 1; i--)
        if (existsSync(`${p}.${i}`)) renameSync(`${p}.${i}`, `${p}.${i + 1}`);
      renameSync(p, `${p}.1`);
    }
    this.fd = openSync(p, 'a', 0o600);
    this.size = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}
