// `tutti image import FILE.tar`: loads an image archive (docker-archive or OCI) into this node's containerd,
// so pods can use it without a registry, like `k3s ctr images import`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importImageArchive } from '../agent/runtime/index.js';
import { defaultDataDir } from './datadir.js';
import { type FlagSpec, UsageError, parseFlags, stringFlag, wantsHelp } from './flags.js';

const HELP = `Usage: tutti image import FILE.tar [--data-dir DIR | --container-runtime-endpoint SOCK]

Loads an image archive into the node's containerd (namespace k8s.io), where the agent's pods find it.`;

const FLAGS: FlagSpec = { 'data-dir': 'string', 'container-runtime-endpoint': 'string' };

export async function runImage(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(HELP);
    return 0;
  }
  const args = parseFlags(argv, FLAGS);
  const [sub, file, extra] = args.positionals;
  if (sub === undefined) throw new UsageError('missing subcommand (import)');
  if (sub !== 'import') throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
  if (!file) throw new UsageError('import needs an image archive (FILE.tar)');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra)}`);
  const endpoint =
    stringFlag(args, 'container-runtime-endpoint') ??
    `unix://${join(stringFlag(args, 'data-dir', defaultDataDir()), 'agent', 'containerd', 'containerd.sock')}`;
  if (!existsSync(endpoint.replace(/^unix:\/\//, ''))) {
    console.error(`tutti image: no containerd socket at ${endpoint}; is the agent running with the CRI runtime?`);
    return 1;
  }
  const names = await importImageArchive(endpoint, file);
  for (const n of names) console.log(`imported ${n}`);
  return 0;
}
