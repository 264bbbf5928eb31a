// Loads image archives into containerd's CRI namespace (`k8s.io`) with ctr, and makes sure the two images a
// node cannot pull without internet (busybox for workloads and tests, pause for sandboxes) are present.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DEFAULT_SANDBOX_IMAGE } from '../containerd/containerd.js';
import { CriRuntime } from '../cri/cri-runtime.js';

const run = promisify(execFile);

export const BUSYBOX_IMAGE = 'docker.io/library/busybox:1.35';
export { DEFAULT_SANDBOX_IMAGE as PAUSE_IMAGE };

/** Bump when a build script changes what it produces, so cached archives are rebuilt. */
const BUILD_VERSION = 1;

function socketOf(endpoint: string): string {
  return endpoint.replace(/^unix:\/\//, '').replace(/^unix:/, '');
}

/** Imports a docker-archive or oci-archive tar; returns the image names it held. */
export async function importImageArchive(endpoint: string, tarPath: string, ctrPath = 'ctr'): Promise<string[]> {
  const { stdout } = await run(ctrPath, ['-a', socketOf(endpoint), '-n', 'k8s.io', 'images', 'import', tarPath], {
    maxBuffer: 4 * 1024 * 1024,
  });
  // ctr prints "unpacking <name> (sha256:...)...done" for each image it unpacked.
  return [...stdout.matchAll(/unpacking (\S+) \(/g)].map((m) => m[1]!);
}

/** The folder with build-*-image.sh: next to the repository root this module was built from, or under cwd. */
export function findImageScriptsDir(): string {
  const candidates: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    candidates.push(join(dir, 'scripts', 'images'));
    dir = dirname(dir);
  }
  candidates.push(resolve('scripts', 'images'));
  const found = candidates.find((c) => existsSync(join(c, 'build-busybox-image.sh')));
  if (!found) throw new Error(`scripts/images not found (looked in ${candidates.join(', ')})`);
  return found;
}

export interface BaseImageOptions {
  sandboxImage?: string;
  scriptsDir?: string;
  ctrPath?: string;
}

export interface BaseImagesResult {
  busybox: string;
  pause: string;
  /** Names imported by this call (empty when both were already present). */
  imported: string[];
}

/** Builds (once per workDir) and imports busybox and the pause image unless containerd already has them. */
export async function ensureBaseImages(
  endpoint: string,
  workDir: string,
  opts: BaseImageOptions = {},
): Promise<BaseImagesResult> {
  const pause = opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE;
  const wanted = [
    { ref: BUSYBOX_IMAGE, script: 'build-busybox-image.sh', file: `busybox-v${BUILD_VERSION}.tar` },
    {
      ref: pause,
      script: 'build-pause-image.sh',
      file: `pause-v${BUILD_VERSION}-${pause.replace(/[^\w.-]/g, '_')}.tar`,
    },
  ];
  const runtime = new CriRuntime(endpoint, { timeoutMs: 30_000 });
  const imported: string[] = [];
  try {
    for (const w of wanted) {
      if (await runtime.imageStatus(w.ref)) continue;
      const tar = await buildCached(w.script, w.ref, join(workDir, w.file), opts);
      await importImageArchive(endpoint, tar, opts.ctrPath);
      await waitForImage(runtime, w.ref, tar);
      imported.push(w.ref);
    }
  } finally {
    runtime.close();
  }
  return { busybox: BUSYBOX_IMAGE, pause, imported };
}

/** CRI learns of ctr imports from containerd's event stream, so the image can show up a moment later. */
async function waitForImage(runtime: CriRuntime, ref: string, tar: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (await runtime.imageStatus(ref)) return;
    await sleep(50);
  }
  throw new Error(`image ${ref} missing after importing ${tar}`);
}

async function buildCached(script: string, ref: string, out: string, opts: BaseImageOptions): Promise<string> {
  if (existsSync(out)) return out;
  mkdirSync(dirname(out), { recursive: true });
  const scripts = opts.scriptsDir ?? findImageScriptsDir();
  // Build beside the target and rename, so a crash never leaves a half-written archive in the cache.
  const tmp = `${out}.${process.pid}.partial`;
  await run('bash', [join(scripts, script), tmp, ref]);
  renameSync(tmp, out);
  return out;
}
