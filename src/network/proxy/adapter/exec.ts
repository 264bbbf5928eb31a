// Runs the host tools the proxy drives (nft, ip, conntrack), optionally inside a named network namespace.
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Exec = (cmd: string, args: string[], input?: string) => Promise<ExecResult>;

/**
 * `netns` (a name under /run/netns) runs every command in that namespace through nsenter — for tests and
 * benchmarks that keep the proxy in their own process; a proxy inside an agent runs in the node's own.
 */
export function hostExec(netns?: string): Exec {
  return (cmd, args, input) =>
    new Promise((resolve, reject) => {
      const [file, argv] = netns ? ['nsenter', [`--net=/run/netns/${netns}`, '--', cmd, ...args]] : [cmd, args];
      const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) =>
        resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
      );
      child.stdin.on('error', () => {}); // a tool that exits early closes its stdin; its exit code tells
      child.stdin.end(input ?? '');
    });
}
