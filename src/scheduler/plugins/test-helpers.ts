// Runs one plugin's extension points on plain objects, as the framework would.

import type { Node, Pod } from '../../core/types.js';
import { CycleState } from '../framework/cycle-state.js';
import type { SchedulerPlugin } from '../framework/plugin.js';
import { podInfoOf } from '../framework/pod-info.js';
import { snapshotOf } from '../framework/snapshot.js';
import type { Status } from '../framework/status.js';
import type { VolumeLister } from '../framework/volumes.js';

/** Filter result per node name (null = fits); PreFilter rejection or Skip shows up for every node. */
export function filterAll(
  plugin: SchedulerPlugin,
  pod: Pod,
  nodes: Node[],
  pods: Pod[] = [],
  volumes?: VolumeLister,
): Map<string, Status | null> {
  const snap = snapshotOf(nodes, pods, volumes);
  const state = new CycleState();
  const info = podInfoOf(pod);
  const pre = plugin.preFilter?.(state, info, snap) ?? null;
  const out = new Map<string, Status | null>();
  for (const n of snap.nodes) {
    if (pre?.code === 'Skip') out.set(n.name, null);
    else if (pre) out.set(n.name, pre);
    else out.set(n.name, plugin.filter?.(state, info, n) ?? null);
  }
  return out;
}

/** Normalized scores per node name. */
export function scoreAll(plugin: SchedulerPlugin, pod: Pod, nodes: Node[], pods: Pod[] = []): Map<string, number> {
  const snap = snapshotOf(nodes, pods);
  const state = new CycleState();
  const info = podInfoOf(pod);
  const pre = plugin.preScore?.(state, info, snap.nodes, snap) ?? null;
  const scores = new Float64Array(snap.nodes.length);
  if (pre?.code !== 'Skip') {
    snap.nodes.forEach((n, i) => {
      scores[i] = plugin.score?.(state, info, n) ?? 0;
    });
    plugin.normalizeScore?.(state, info, scores);
  }
  return new Map(snap.nodes.map((n, i) => [n.name, scores[i]!]));
}

export function reasonsOf(s: Status | null | undefined): string[] | null {
  return s ? s.reasons : null;
}
