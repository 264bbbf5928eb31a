// The kubelet's AtomicWriter: a ConfigMap/Secret/downwardAPI/projected volume is a directory whose files live in
// a timestamped `..<time>` directory, reached through the `..data` symlink, with one top-level symlink per
// visible name (`key -> ..data/key`). An update writes a new timestamped directory and swaps `..data` with one
// rename, so a container never sees half of an update. The volume directory itself is never replaced: it is
// bind-mounted into running containers. (subPath mounts bind one resolved file and therefore do not update.)
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, normalize } from 'node:path';

export interface FileEntry {
  /** Relative path inside the volume (`key` or `dir/key`). */
  path: string;
  content: Buffer;
  mode?: number;
}

export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

const DATA = '..data';
const DATA_TMP = '..data_tmp';

function timestampDirName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const t = `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}`;
  return `..${t}.${randomBytes(5).toString('hex')}`;
}

/** Upstream validatePath: relative, no `..` element, not starting with `..`. */
export function validatePayloadPath(p: string): string {
  if (p === '' || p.startsWith('/')) throw new PayloadError(`invalid path ${JSON.stringify(p)}: must be relative`);
  if (p.split('/').includes('..')) throw new PayloadError(`invalid path ${JSON.stringify(p)}: must not contain '..'`);
  if (p.startsWith('..')) throw new PayloadError(`invalid path ${JSON.stringify(p)}: must not start with '..'`);
  return normalize(p);
}

/** True when the directory at `current` holds exactly these files with these contents and modes. */
function sameAs(current: string, files: readonly FileEntry[], defaultMode: number): boolean {
  const want = new Set<string>();
  for (const f of files) {
    const path = join(current, f.path);
    want.add(f.path);
    try {
      const st = statSync(path);
      if (!st.isFile() || (st.mode & 0o7777) !== (f.mode ?? defaultMode)) return false;
      if (!readFileSync(path).equals(f.content)) return false;
    } catch {
      return false;
    }
  }
  const have: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(current, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else have.push(r);
    }
  };
  walk('');
  return have.length === want.size && have.every((h) => want.has(h));
}

/**
 * Makes `dir` show exactly `files`. Returns false when it already did (nothing written). Throws PayloadError for
 * an invalid path before touching anything.
 */
export function writeAtomically(
  dir: string,
  files: readonly FileEntry[],
  defaultMode: number,
  now = new Date(),
): boolean {
  const payload = files.map((f) => ({ ...f, path: validatePayloadPath(f.path) }));
  mkdirSync(dir, { recursive: true });
  let oldTs: string | undefined;
  try {
    oldTs = readlinkSync(join(dir, DATA));
  } catch {
    oldTs = undefined;
  }
  if (oldTs && existsSync(join(dir, oldTs)) && sameAs(join(dir, oldTs), payload, defaultMode)) {
    ensureVisibleLinks(dir, payload);
    return false;
  }
  if (!oldTs) {
    // First write, or a directory an older agent filled with plain files: start from empty.
    for (const e of readdirSync(dir)) rmSync(join(dir, e), { recursive: true, force: true });
  }
  const ts = timestampDirName(now);
  const tsDir = join(dir, ts);
  mkdirSync(tsDir, { mode: 0o755 });
  chmodSync(tsDir, 0o755);
  for (const f of payload) {
    const target = join(tsDir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    chmodSync(target, f.mode ?? defaultMode);
  }
  rmSync(join(dir, DATA_TMP), { force: true });
  symlinkSync(ts, join(dir, DATA_TMP));
  renameSync(join(dir, DATA_TMP), join(dir, DATA));
  ensureVisibleLinks(dir, payload);
  if (oldTs && oldTs !== ts && oldTs.startsWith('..')) rmSync(join(dir, oldTs), { recursive: true, force: true });
  return true;
}

/** One `name -> ..data/name` symlink per top-level name of the payload; names no longer in it go. */
function ensureVisibleLinks(dir: string, payload: readonly FileEntry[]): void {
  const top = new Set(payload.map((f) => f.path.split('/')[0]!));
  for (const name of top) {
    const link = join(dir, name);
    const want = join(DATA, name);
    let current: string | undefined;
    try {
      current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : undefined;
      if (current === undefined) rmSync(link, { recursive: true, force: true });
    } catch {
      current = undefined;
    }
    if (current !== want) {
      rmSync(link, { force: true });
      symlinkSync(want, link);
    }
  }
  for (const e of readdirSync(dir)) {
    if (e.startsWith('..') || top.has(e)) continue;
    rmSync(join(dir, e), { recursive: true, force: true });
  }
}
