// Pure: completion indexes of Indexed Jobs (upstream pkg/controller/job/indexed_job_utils.go): the index
// of a pod, the compressed interval strings of status.completedIndexes / failedIndexes ("1,3-5,7"), the
// pending indexes to start (lowest first) and which duplicate pods of one index to remove.

import type { Pod } from '../../core/index.js';
import { compareForDeletion } from '../shared/active-pods.js';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The pod's completion index from its annotation (then its label), or undefined when missing or invalid. */
export function podCompletionIndex(pod: Pod): number | undefined {
  const v =
    pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^(0|[1-9]\d{0,8})$/.test(v)) return undefined;
  return Number(v);
}

/** Sorted distinct indexes -> "0,2-4,7" (a single index alone, a run as first-last). */
export function formatIntervals(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i] as number;
    let last = first;
    while (i + 1 < sorted.length && sorted[i + 1] === last + 1) last = sorted[++i] as number;
    parts.push(first === last ? String(first) : `${first}-${last}`);
    i++;
  }
  return parts.join(',');
}

/** "0,2-4" -> [0,2,3,4], keeping only indexes below `completions`; malformed parts are skipped (upstream). */
export function parseIntervals(s: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(Number(m[2] ?? m[1]), completions - 1);
    for (let i = first; i <= last; i++) out.add(i);
  }
  return out;
}

/** Up to `count` indexes in [0, completions) that are neither done nor active, lowest first. */
export function firstPendingIndexes(count: number, completions: number, taken: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!taken.has(i)) out.push(i);
  return out;
}

/**
 * Active pods to remove in an Indexed Job (upstream activePodsForRemoval / appendDuplicatedIndexPodsForRemoval):
 * pods without a valid index or with one out of range, pods of an index already succeeded or failed, and for
 * an index with several pods all but the most advanced one (controller.ActivePods order). Returns the rest too.
 */
export function indexedPodsForRemoval(
  active: readonly Pod[],
  completions: number,
  finished: ReadonlySet<number>,
): { remove: Pod[]; keep: Pod[] } {
  const remove: Pod[] = [];
  const byIndex = new Map<number, Pod[]>();
  for (const p of active) {
    const ix = podCompletionIndex(p);
    if (ix === undefined || ix >= completions || finished.has(ix)) remove.push(p);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
  }
  const keep: Pod[] = [];
  for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
    const same = [...(byIndex.get(ix) ?? [])].sort((a, b) => compareForDeletion(a, b, 0, 0));
    remove.push(...same.slice(0, -1));
    keep.push(same[same.length - 1] as Pod);
  }
  return { remove, keep };
}

/** upstream podGenerateNameWithIndex: "<job>-<index>-", the job name cut so the name fits 63 characters. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const appendix = `-${index}-`;
  const max = 63 - 5; // MaxGeneratedNameLength
  return `${jobName.length + appendix.length > max ? jobName.slice(0, max - appendix.length) : jobName}${appendix}`;
}

/**
 * upstream matchSuccessPolicy: the first rule whose succeededIndexes (all of them, or succeededCount of them)
 * or whose bare succeededCount is met; its message is "Matched rules at index <i>". Rules whose indexes do
 * not parse are skipped.
 */
export function matchSuccessPolicy(
  rules: readonly { succeededIndexes?: string; succeededCount?: number }[] | undefined,
  completions: number,
  succeeded: ReadonlySet<number>,
): string | undefined {
  if (!rules || succeeded.size === 0) return undefined;
  for (const [i, rule] of rules.entries()) {
    let met = false;
    if (rule.succeededIndexes != null) {
      const required = parseIntervals(rule.succeededIndexes, completions);
      if (required.size === 0) continue;
      const done = [...required].filter((ix) => succeeded.has(ix)).length;
      met = rule.succeededCount != null ? done >= rule.succeededCount : done === required.size;
    } else if (rule.succeededCount != null) met = succeeded.size >= rule.succeededCount;
    if (met) return `Matched rules at index ${i}`;
  }
  return undefined;
}
