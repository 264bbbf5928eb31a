// `tutti kubectl ...`: kubectl with the local server's admin kubeconfig, like `k3s kubectl`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { defaultDataDir } from './datadir.js';

export async function runKubectl(argv: string[]): Promise<number> {
  const dataDir = process.env.TUTTI_DATA_DIR ?? defaultDataDir();
  const env = { ...process.env, KUBECONFIG: process.env.KUBECONFIG ?? join(dataDir, 'kubeconfig.yaml') };
  return new Promise((resolve) => {
    const child = spawn('kubectl', argv, { stdio: 'inherit', env });
    child.on('exit', (code) => resolve(code ?? 1));
    child.on('error', (err) => {
      console.error(`cannot run kubectl: ${err.message}`);
      resolve(1);
    });
  });
}
