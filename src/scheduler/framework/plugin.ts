// Plugin extension points (upstream framework/interface.go), narrowed to what Tutti needs.
// A plugin implements any subset; the profile lists plugins in order with score weights.

import type { CycleState } from './cycle-state.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { Snapshot } from './snapshot.js';
import type { PluginResult } from './status.js';

export const MAX_NODE_SCORE = 100;

export interface PluginBase {
  readonly name: string;
}

/** Runs once per pod; may reject it for every node or return Skip to skip this plugin's Filter. */
export interface PreFilterPlugin extends PluginBase {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PluginResult;
}

/** Decides whether the pod can run on one node; `null` means it can. */
export interface FilterPlugin extends PluginBase {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): PluginResult;
}

/** Runs once per pod before scoring, over the feasible nodes; Skip skips this plugin's Score. */
export interface PreScorePlugin extends PluginBase {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], snapshot: Snapshot): PluginResult;
}

/** Ranks one feasible node; normalizeScore (optional) maps raw scores in place onto 0..100. */
export interface ScorePlugin extends PluginBase {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array): void;
}

/**
 * Runs when the scheduler has assumed the pod on the chosen node, before the bind (upstream Reserve): a plugin
 * with state outside the snapshot (VolumeBinding's assumed volumes) records the choice there so the next cycle
 * sees it; unreserve undoes that when the bind fails.
 */
export interface ReservePlugin extends PluginBase {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): void;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export type SchedulerPlugin = PluginBase &
  Partial<
    Pick<PreFilterPlugin, 'preFilter'> &
      Pick<FilterPlugin, 'filter'> &
      Pick<PreScorePlugin, 'preScore'> &
      Pick<ScorePlugin, 'score' | 'normalizeScore'> &
      Pick<ReservePlugin, 'reserve' | 'unreserve'>
  >;

export interface PluginEntry {
  plugin: SchedulerPlugin;
  /** Score weight (default 1); ignored for plugins without score. */
  weight?: number;
}

/** Upstream's DefaultNormalizeScore: scale to 0..max by the highest score, optionally reversed. */
export function defaultNormalizeScore(scores: Float64Array, reverse: boolean, max = MAX_NODE_SCORE): void {
  let highest = 0;
  for (const s of scores) if (s > highest) highest = s;
  if (highest === 0) {
    if (reverse) scores.fill(max);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((max * scores[i]!) / highest);
    if (reverse) s = max - s;
    scores[i] = s;
  }
}
