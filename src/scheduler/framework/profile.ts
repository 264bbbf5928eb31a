// A scheduling profile: the ordered plugins per extension point plus the adaptive sampling state.

import type {
  FilterPlugin,
  PluginEntry,
  PreFilterPlugin,
  PreScorePlugin,
  ReservePlugin,
  SchedulerPlugin,
  ScorePlugin,
} from './plugin.js';

export interface ProfileOptions {
  schedulerName?: string;
  plugins: PluginEntry[];
  /** 0 (default) selects upstream's adaptive percentage. */
  percentageOfNodesToScore?: number;
  /** Random source in [0, 1) for tie breaking; injectable for tests. */
  random?: () => number;
}

function has<K extends keyof SchedulerPlugin>(p: SchedulerPlugin, k: K): boolean {
  return typeof p[k] === 'function';
}

export class Profile {
  readonly schedulerName: string;
  readonly preFilter: PreFilterPlugin[];
  readonly filter: FilterPlugin[];
  readonly preScore: PreScorePlugin[];
  readonly score: Array<{ plugin: ScorePlugin; weight: number }>;
  readonly reserve: ReservePlugin[];
  readonly percentageOfNodesToScore: number;
  readonly random: () => number;
  /** Where the next feasible-node search starts, so successive pods look at different nodes first. */
  nextStartNodeIndex = 0;

  constructor(opts: ProfileOptions) {
    this.schedulerName = opts.schedulerName ?? 'default-scheduler';
    const ps = opts.plugins.map((e) => e.plugin);
    this.preFilter = ps.filter((p) => has(p, 'preFilter')) as PreFilterPlugin[];
    this.filter = ps.filter((p) => has(p, 'filter')) as FilterPlugin[];
    this.preScore = ps.filter((p) => has(p, 'preScore')) as PreScorePlugin[];
    this.score = opts.plugins
      .filter((e) => has(e.plugin, 'score'))
      .map((e) => ({ plugin: e.plugin as ScorePlugin, weight: e.weight ?? 1 }));
    this.reserve = ps.filter((p) => has(p, 'reserve') && has(p, 'unreserve')) as ReservePlugin[];
    this.percentageOfNodesToScore = opts.percentageOfNodesToScore ?? 0;
    this.random = opts.random ?? Math.random;
  }
}

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** Upstream numFeasibleNodesToFind: all nodes below 100, else an adaptive share (50% minus n/125, floor 5%). */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * Math.min(pct, 100)) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}
