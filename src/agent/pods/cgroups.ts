// Pod cgroups: the agent names one per pod (cgroupParent) and removes it after the sandbox is gone, because
// containerd leaves the empty directories behind in every hierarchy.
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

export function podCgroupParent(root: string, uid: string): string {
  return `/${root}/pod${uid.replace(/-/g, '_')}`;
}

/** Removes the cgroup (children first) in each mounted hierarchy (v1 controllers and the unified v2 one). */
export function removeCgroup(path: string): void {
  if (!existsSync(CGROUP_FS)) return;
  const hierarchies = existsSync(join(CGROUP_FS, 'cgroup.controllers')) ? [''] : readdirSync(CGROUP_FS);
  for (const h of hierarchies) removeDepthFirst(join(CGROUP_FS, h, path));
}

function removeDepthFirst(dir: string): void {
  if (!existsSync(dir)) return;
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeDepthFirst(join(dir, e.name));
    rmdirSync(dir);
  } catch {
    // Still holds a task or is not a directory hierarchy (e.g. a file in /sys/fs/cgroup); left for a later sync.
  }
}

/** Whether any hierarchy still has the cgroup (for leak checks). */
export function cgroupExists(path: string): boolean {
  if (!existsSync(CGROUP_FS)) return false;
  const hierarchies = existsSync(join(CGROUP_FS, 'cgroup.controllers')) ? [''] : readdirSync(CGROUP_FS);
  return hierarchies.some((h) => existsSync(join(CGROUP_FS, h, path)));
}
