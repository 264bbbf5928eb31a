// How far and how fast the HPA may move from the current replicas, after upstream's horizontal.go:
// stabilization (the highest recommendation over the scale-down window, the lowest over the scale-up window),
// the scaling policies (Pods / Percent per period, chosen by selectPolicy, counting the scale events of each
// period) and min/max replicas; without `behavior`, the old rules (downscale stabilization window, at most
// max(2 x current, 4) up). Pure: the history is passed in and updated in place, time is a parameter.
import type { autoscalingv2 } from '../../core/types.js';

export type ScalingRules = autoscalingv2.HPAScalingRules;
export type ScalingPolicy = autoscalingv2.HPAScalingPolicy;

export interface TimestampedRecommendation {
  recommendation: number;
  timestampMs: number;
}

export interface ScaleEvent {
  /** Always positive: pods added (scale-up list) or removed (scale-down list). */
  replicaChange: number;
  timestampMs: number;
  outdated: boolean;
}

/** What the controller remembers of one HPA between syncs. */
export interface ScalingHistory {
  recommendations: TimestampedRecommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export interface Limited {
  replicas: number;
  /** Condition reason, e.g. DesiredWithinRange, ScaleUpLimit, TooManyReplicas. */
  reason: string;
  message: string;
}

const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

/**
 * The rules the API server fills in when a behavior leaves a direction out (autoscaling/v2 defaults:
 * GenerateHPAScaleUpRules / GenerateHPAScaleDownRules; api/defaults/hpa.ts applies them on writes). Kept
 * here for HPAs that did not come through defaulting.
 */
export function defaultScalingRules(direction: 'scaleUp' | 'scaleDown', given: ScalingRules | undefined): ScalingRules {
  const base: ScalingRules =
    direction === 'scaleUp'
      ? {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        }
      : { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
  const out: ScalingRules = { ...base };
  if (given?.stabilizationWindowSeconds !== undefined)
    out.stabilizationWindowSeconds = given.stabilizationWindowSeconds;
  if (given?.selectPolicy !== undefined) out.selectPolicy = given.selectPolicy;
  if (given?.policies !== undefined) out.policies = given.policies;
  return out;
}

/** Without behavior: the highest recommendation of the window, then records this one (stabilizeRecommendation). */
export function stabilizeRecommendation(
  recs: TimestampedRecommendation[],
  desired: number,
  windowMs: number,
  nowMs: number,
): number {
  let max = desired;
  let oldIndex = -1;
  const cutoff = nowMs - windowMs;
  recs.forEach((r, i) => {
    if (r.timestampMs < cutoff) oldIndex = i;
    else if (r.recommendation > max) max = r.recommendation;
  });
  const entry = { recommendation: desired, timestampMs: nowMs };
  if (oldIndex >= 0) recs[oldIndex] = entry;
  else recs.push(entry);
  return max;
}

export interface NormalizationArgs {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
}

/** With behavior: clamp between the lowest (up window) and highest (down window) recent recommendations. */
export function stabilizeRecommendationWithBehaviors(
  recs: TimestampedRecommendation[],
  args: NormalizationArgs,
  nowMs: number,
): Limited {
  let up = args.desiredReplicas;
  let down = args.desiredReplicas;
  const upCutoff = nowMs - (args.scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
  const downCutoff = nowMs - (args.scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
  let oldIndex = -1;
  recs.forEach((r, i) => {
    if (r.timestampMs > upCutoff) up = Math.min(r.recommendation, up);
    if (r.timestampMs > downCutoff) down = Math.max(r.recommendation, down);
    if (r.timestampMs < upCutoff && r.timestampMs < downCutoff) oldIndex = i;
  });
  let recommendation = args.currentReplicas;
  if (recommendation < up) recommendation = up;
  if (recommendation > down) recommendation = down;
  const entry = { recommendation: args.desiredReplicas, timestampMs: nowMs };
  if (oldIndex >= 0) recs[oldIndex] = entry;
  else recs.push(entry);
  return args.desiredReplicas >= args.currentReplicas
    ? {
        replicas: recommendation,
        reason: 'ScaleUpStabilized',
        message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
      }
    : {
        replicas: recommendation,
        reason: 'ScaleDownStabilized',
        message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
      };
}

export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
}

/** Without behavior: min/max replicas and the max(2 x current, 4) cap (convertDesiredReplicasWithRules). */
export function convertDesiredReplicasWithRules(
  currentReplicas: number,
  desiredReplicas: number,
  minReplicas: number,
  maxReplicas: number,
): Limited {
  const scaleUpLimit = calculateScaleUpLimit(currentReplicas);
  let maximum: number;
  let reason: string;
  let message: string;
  if (maxReplicas > scaleUpLimit) {
    maximum = scaleUpLimit;
    reason = 'ScaleUpLimit';
    message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maximum = maxReplicas;
    reason = 'TooManyReplicas';
    message = 'the desired replica count is more than the maximum replica count';
  }
  if (desiredReplicas < minReplicas) {
    return {
      replicas: minReplicas,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  }
  if (desiredReplicas > maximum) return { replicas: maximum, reason, message };
  return withinRange(desiredReplicas);
}

const withinRange = (replicas: number): Limited => ({
  replicas,
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
});

/** Sum of the changes newer than periodSeconds (getReplicasChangePerPeriod). */
export function replicasChangePerPeriod(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.timestampMs > cutoff) sum += e.replicaChange;
  return sum;
}

/** The most pods the policies allow after scaling up (calculateScaleUpLimitWithScalingRules). */
export function scaleUpLimitWithRules(
  currentReplicas: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: ScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const p of rules.policies ?? []) {
    const added = replicasChangePerPeriod(p.periodSeconds, upEvents, nowMs);
    const deleted = replicasChangePerPeriod(p.periodSeconds, downEvents, nowMs);
    const periodStart = currentReplicas - added + deleted;
    let proposed = 0;
    if (p.type === 'Pods') proposed = periodStart + p.value;
    // Rounded up: a small percentage of few pods must still allow one more.
    else if (p.type === 'Percent') proposed = Math.ceil(periodStart * (1 + p.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return clampInt32(result);
}

/** The fewest pods the policies allow after scaling down (calculateScaleDownLimitWithBehaviors). */
export function scaleDownLimitWithRules(
  currentReplicas: number,
  upEvents: readonly ScaleEvent[],
  downEvents: readonly ScaleEvent[],
  rules: ScalingRules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of rules.policies ?? []) {
    const added = replicasChangePerPeriod(p.periodSeconds, upEvents, nowMs);
    const deleted = replicasChangePerPeriod(p.periodSeconds, downEvents, nowMs);
    const periodStart = currentReplicas - added + deleted;
    let proposed = 0;
    if (p.type === 'Pods') proposed = periodStart - p.value;
    else if (p.type === 'Percent') proposed = Math.trunc(periodStart * (1 - p.value / 100));
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return clampInt32(result);
}

/** Go starts from math.MinInt32 / MaxInt32; with no policy the bound stays there. */
function clampInt32(v: number): number {
  return Math.max(-2147483648, Math.min(2147483647, v));
}

/** With behavior: the policies' rate limits and min/max (convertDesiredReplicasWithBehaviorRate). */
export function convertDesiredReplicasWithBehaviorRate(
  args: NormalizationArgs,
  history: ScalingHistory,
  nowMs: number,
): Limited {
  if (args.desiredReplicas > args.currentReplicas) {
    let limit = scaleUpLimitWithRules(
      args.currentReplicas,
      history.scaleUpEvents,
      history.scaleDownEvents,
      args.scaleUp,
      nowMs,
    );
    // Never below the current count: wait until past scale-ups leave the periods.
    if (limit < args.currentReplicas) limit = args.currentReplicas;
    let maximum = args.maxReplicas;
    let reason = 'TooManyReplicas';
    let message = 'the desired replica count is more than the maximum replica count';
    if (maximum > limit) {
      maximum = limit;
      reason = 'ScaleUpLimit';
      message = 'the desired replica count is increasing faster than the maximum scale rate';
    }
    if (args.desiredReplicas > maximum) return { replicas: maximum, reason, message };
  } else if (args.desiredReplicas < args.currentReplicas) {
    let limit = scaleDownLimitWithRules(
      args.currentReplicas,
      history.scaleUpEvents,
      history.scaleDownEvents,
      args.scaleDown,
      nowMs,
    );
    if (limit > args.currentReplicas) limit = args.currentReplicas;
    let minimum = args.minReplicas;
    let reason = 'TooFewReplicas';
    let message = 'the desired replica count is less than the minimum replica count';
    if (minimum < limit) {
      minimum = limit;
      reason = 'ScaleDownLimit';
      message = 'the desired replica count is decreasing faster than the maximum scale rate';
    }
    if (args.desiredReplicas < minimum) return { replicas: minimum, reason, message };
  }
  return withinRange(args.desiredReplicas);
}

function longestPolicyPeriod(rules: ScalingRules | undefined): number {
  let longest = 0;
  for (const p of rules?.policies ?? []) if (p.periodSeconds > longest) longest = p.periodSeconds;
  return longest;
}

function markOutdated(events: ScaleEvent[], longestPeriodSeconds: number, nowMs: number): void {
  const cutoff = nowMs - longestPeriodSeconds * 1000;
  for (const e of events) if (e.timestampMs < cutoff) e.outdated = true;
}

/**
 * Records a rescale for the rate limits (storeScaleEvent): reuses the last outdated slot of its direction,
 * else appends. Nothing is recorded without behavior, as nothing reads it then.
 */
export function storeScaleEvent(
  behavior: autoscalingv2.HorizontalPodAutoscalerBehavior | undefined,
  history: ScalingHistory,
  prevReplicas: number,
  newReplicas: number,
  nowMs: number,
): void {
  if (!behavior) return;
  const up = newReplicas > prevReplicas;
  const events = up ? history.scaleUpEvents : history.scaleDownEvents;
  markOutdated(events, longestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown), nowMs);
  let oldIndex = -1;
  events.forEach((e, i) => {
    if (e.outdated) oldIndex = i;
  });
  const entry: ScaleEvent = {
    replicaChange: Math.abs(newReplicas - prevReplicas),
    timestampMs: nowMs,
    outdated: false,
  };
  if (oldIndex >= 0) events[oldIndex] = entry;
  else events.push(entry);
}
