import { homedir } from 'node:os';
import { join } from 'node:path';

/** /var/lib/tutti for root, ~/.tutti otherwise (like k3s's /var/lib/rancher vs ~/.rancher). */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/tutti' : join(homedir(), '.tutti');
}
