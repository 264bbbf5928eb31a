// `tutti image import FILE.tar`: loads an image archive (docker-archive or OCI) into this node's containerd,
// so pods can use it without a registry, like `k3s ctr images import`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { importImageArchive } from '../agent/runtime/index.js';
import { defaultDataDir } from './datadir.js';
import { parseArgs, stringFlag } from './flags.js';

const HELP = `Usage: tutti image import FILE.tar [--data-dir DIR | --container-runtime-endpoint SOCK]

Loads an image archive into the node's containerd (namespace k8s.io), where the agent's pods find it.`;

export async function runImage(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['help']));
  const [sub, file] = args.positionals;
  if (args.flags.has('help') || sub !== 'import' || !file) {
    console.log(HELP);
    return sub === 'import' && file ? 0 : 1;
  }
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
