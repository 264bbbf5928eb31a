// Which runtime a node uses: CRI (a given endpoint, or a private containerd) when it can work, else the
// process runtime. `--runtime process` forces the latter; `--runtime cri` fails rather than fall back.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type RuntimeKind = 'auto' | 'cri' | 'process';

function onPath(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why a private containerd cannot run here, or undefined when it can. */
export function privateContainerdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const bin of ['containerd', 'ctr', 'runc']) if (!onPath(bin)) return `${bin} not installed`;
  if (!existsSync('/usr/lib/cni/bridge')) return 'CNI plugins not installed (/usr/lib/cni/bridge)';
  return undefined;
}

export function chooseRuntime(
  kind: RuntimeKind,
  endpoint: string | undefined,
): { kind: 'cri' | 'process'; why: string } {
  if (kind === 'process') return { kind: 'process', why: 'forced by --runtime process' };
  if (endpoint) return { kind: 'cri', why: `endpoint ${endpoint}` };
  const missing = privateContainerdUnavailable();
  if (!missing) return { kind: 'cri', why: 'private containerd' };
  if (kind === 'cri') throw new Error(`--runtime cri: cannot start containerd: ${missing}`);
  return { kind: 'process', why: `CRI unavailable: ${missing}` };
}
