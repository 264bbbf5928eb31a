// A long-lived `nft -i` process for small transactions: starting nft costs tens of milliseconds of
// process start-up and cache loading on a busy node, more than most incremental changes. Each
// transaction is one input line (`cmd ; cmd ; ...`: nft runs a line as one atomic batch), followed by a
// command that fails with a unique name, so that its error marks the end of the transaction's output.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { FAMILY } from '../nft/names.js';
import { NftError } from './nft.js';

/** Larger transactions go through `nft -f -` (one line of several MB is no use to anyone reading errors). */
export const SESSION_MAX_BYTES = 256 * 1024;

export class NftSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  private stderr = '';
  private seq = 0;
  private waiting: { marker: string; resolve: (errors: string) => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly netns?: string) {}

  /** Applies a transaction of newline-separated commands atomically; throws NftError if refused. */
  async apply(script: string): Promise<void> {
    if (script.trim() === '') return;
    if (this.waiting) throw new Error('NftSession.apply is not reentrant');
    const child = this.ensure();
    const marker = `tx-done-${process.pid}-${++this.seq}`;
    const line = script
      .split('\n')
      .filter((l) => l.trim() !== '')
      .join(' ; ');
    const errors = await new Promise<string>((resolve, reject) => {
      this.waiting = { marker, resolve, reject };
      child.stdin.write(`${line}\nlist table ${FAMILY} ${marker}\n`);
    });
    if (/Error:/.test(errors))
      throw new NftError(`nft transaction failed: ${errors.split('\n').slice(0, 6).join(' | ')}`, errors);
  }

  close(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const [file, args] = this.netns
      ? ['nsenter', [`--net=/run/netns/${this.netns}`, '--', 'nft', '-i']]
      : ['nft', ['-i']];
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    child.stdout.resume(); // nothing is listed; discard
    child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      const w = this.waiting;
      if (!w) return;
      const at = this.stderr.indexOf(w.marker);
      if (at < 0) return;
      // The marker's own error: "Error: ...\nlist table ip <marker>\n   ^^^\n"; everything before it is ours.
      const end = this.stderr.indexOf('\n', this.stderr.indexOf('\n', at) + 1);
      if (end < 0) return;
      const before = this.stderr.slice(0, this.stderr.lastIndexOf('Error:', at));
      this.stderr = this.stderr.slice(end + 1);
      this.waiting = undefined;
      w.resolve(before);
    });
    const fail = (why: string) => {
      if (this.child === child) this.child = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new NftError(`nft session ended: ${why}`, this.stderr));
    };
    child.on('exit', (code, signal) => fail(`exit ${code ?? signal}`));
    child.on('error', (err) => fail(String(err)));
    child.stdin.on('error', (err) => fail(String(err)));
    this.child = child;
    return child;
  }
}
