// The exec provider: user-given commands make and remove machines, so any cloud CLI or script can supply
// nodes. Each command runs without a shell, with the node in its environment:
//   TUTTI_ACTION        create | delete | list
//   TUTTI_NODE_GROUP    the group's name
//   TUTTI_NODE_NAME     the name the node must register under (create, delete)
//   TUTTI_NODE_TEMPLATE the template as JSON: {"capacity":{...},"labels":{...},"taints":[...]} (create);
//                       labels include the group label and kubernetes.io/hostname
//   TUTTI_NODE_LABELS   the same labels as k=v,k=v (kubelet --node-labels form) (create)
//   TUTTI_NODE_TAINTS   the taints as key=value:Effect,... (kubelet --register-with-taints form) (create)
// `list` prints the group's node names, one per line. A non-zero exit is a failure (its stderr is the
// message); a command over its timeout is killed with its process group.

import { spawn } from 'node:child_process';
import type { Taint } from '../../core/types.js';
import type { NewNode, NodeProvider } from './provider.js';

export interface ExecProviderOptions {
  /** argv of each command (no shell). `list` is optional: without it, the provider lists what it made. */
  create: string[];
  delete: string[];
  list?: string[];
  /** Extra environment for every command. */
  env?: Record<string, string>;
  /** Most time one command may take (default 5 min); the autoscaler's own timeouts may be shorter. */
  timeoutMs?: number;
  cwd?: string;
}

/** A command that failed: its exit, and the end of what it wrote to stderr. */
export class ExecProviderError extends Error {
  constructor(
    readonly action: string,
    message: string,
  ) {
    super(`exec provider ${action}: ${message}`);
    this.name = 'ExecProviderError';
  }
}

const STDERR_KEEP = 2000;

export function taintsFlag(taints: readonly Taint[]): string {
  return taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(',');
}

export function labelsFlag(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export class ExecProvider implements NodeProvider {
  readonly kind = 'exec';
  /** What this process created, for a provider without a list command. */
  private readonly made = new Map<string, string>();

  constructor(private readonly opts: ExecProviderOptions) {
    if (opts.create.length === 0 || opts.delete.length === 0) throw new Error('exec provider needs create and delete');
  }

  async createNode(n: NewNode, signal: AbortSignal): Promise<void> {
    const labels = n.node.metadata.labels ?? {};
    await this.run('create', this.opts.create, signal, {
      TUTTI_NODE_GROUP: n.group,
      TUTTI_NODE_NAME: n.name,
      TUTTI_NODE_TEMPLATE: JSON.stringify({ capacity: n.template.capacity, labels, taints: n.template.taints }),
      TUTTI_NODE_LABELS: labelsFlag(labels),
      TUTTI_NODE_TAINTS: taintsFlag(n.template.taints),
    });
    this.made.set(n.name, n.group);
  }

  async deleteNode(group: string, name: string, signal: AbortSignal): Promise<void> {
    await this.run('delete', this.opts.delete, signal, { TUTTI_NODE_GROUP: group, TUTTI_NODE_NAME: name });
    this.made.delete(name);
  }

  async listNodes(group: string, signal: AbortSignal): Promise<string[]> {
    if (!this.opts.list) return [...this.made].filter(([, g]) => g === group).map(([name]) => name);
    const out = await this.run('list', this.opts.list, signal, { TUTTI_NODE_GROUP: group });
    return out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }

  private run(action: string, argv: string[], signal: AbortSignal, env: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new ExecProviderError(action, 'aborted before start'));
        return;
      }
      const child = spawn(argv[0]!, argv.slice(1), {
        cwd: this.opts.cwd,
        env: { ...process.env, ...this.opts.env, ...env, TUTTI_ACTION: action },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a timeout kills whatever the command started too.
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let killedFor: string | undefined;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr = (stderr + d.toString()).slice(-STDERR_KEEP);
      });
      const kill = (why: string) => {
        killedFor ??= why;
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const timeoutMs = this.opts.timeoutMs ?? 5 * 60_000;
      const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
      const onAbort = () => kill('timed out (aborted by the autoscaler)');
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = (err?: Error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(stdout);
      };
      child.on('error', (e) => finish(new ExecProviderError(action, `${argv[0]}: ${e.message}`)));
      child.on('close', (code, sig) => {
        if (killedFor) finish(new ExecProviderError(action, `${killedFor}${stderr ? `: ${stderr.trim()}` : ''}`));
        else if (code !== 0) {
          const how = code === null ? `killed by ${sig}` : `exit code ${code}`;
          finish(new ExecProviderError(action, `${how}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
        } else finish();
      });
    });
  }
}
