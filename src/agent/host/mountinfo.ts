// Mount points from /proc/self/mountinfo (pure parsing), for finding what is still mounted under a data dir.

/** Undoes the octal escapes mountinfo uses for spaces, tabs, newlines and backslashes. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [left, right] = line.split(' - ');
    const f = left?.split(' ') ?? [];
    const r = right?.split(' ') ?? [];
    if (f.length < 5) continue;
    out.push({ mountPoint: unescapeMountPath(f[4]!), fsType: r[0] ?? '', source: unescapeMountPath(r[1] ?? '') });
  }
  return out;
}

/** Mount points at or under one of the directories, deepest first (the order to unmount them in). */
export function mountsUnder(entries: readonly MountEntry[], dirs: readonly string[]): string[] {
  const roots = dirs.map((d) => d.replace(/\/+$/, ''));
  const hits = new Set(
    entries.map((e) => e.mountPoint).filter((m) => roots.some((r) => m === r || m.startsWith(`${r}/`))),
  );
  return [...hits].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}
