// Controllers defend themselves: a workload whose spec holds a value no controller can act on (replicas
// beyond int32, NaN, 1.5, "3", [1], a wrong-typed object: things stored before the API server type-checked
// bodies) is refused. The controller emits one Warning event per resourceVersion and writes nothing else,
// so an out-of-range count never creates pods and a wrong type never drives a write loop.
// `specProblems` is pure (rules per kind, tested on plain objects); `SpecGuard` adds the event.

import type { EventRecorder } from '../../client/index.js';
import { isPlainObject } from '../../core/json.js';
import type { KubeObject } from '../../core/types.js';

export const INT32_MAX = 2147483647;

type FieldType = 'int32' | 'int64' | 'bool' | 'string' | 'object' | 'intOrPercent';

interface Rule {
  /** Dotted path from the object's root; `[]` walks every element of an array. */
  path: string;
  type: FieldType;
  min?: number;
  max?: number;
}

export interface SpecProblem {
  /** The field as upstream names it, e.g. `spec.replicas`, `spec.behavior.scaleUp.policies[0].value`. */
  field: string;
  value: unknown;
  detail: string;
}

const int32 = (path: string, min = 0, max = INT32_MAX): Rule => ({ path, type: 'int32', min, max });
const int64 = (path: string, min = 0): Rule => ({ path, type: 'int64', min });
const bool = (path: string): Rule => ({ path, type: 'bool' });
const obj = (path: string): Rule => ({ path, type: 'object' });
const intOrPercent = (path: string): Rule => ({ path, type: 'intOrPercent' });

/** The fields each controller computes with, by kind. */
const RULES: Record<string, Rule[]> = {
  Deployment: [
    obj('spec'),
    int32('spec.replicas'),
    int32('spec.minReadySeconds'),
    int32('spec.revisionHistoryLimit'),
    int32('spec.progressDeadlineSeconds'),
    bool('spec.paused'),
    obj('spec.strategy'),
    intOrPercent('spec.strategy.rollingUpdate.maxSurge'),
    intOrPercent('spec.strategy.rollingUpdate.maxUnavailable'),
    obj('spec.template'),
  ],
  ReplicaSet: [obj('spec'), int32('spec.replicas'), int32('spec.minReadySeconds'), obj('spec.template')],
  ReplicationController: [obj('spec'), int32('spec.replicas'), int32('spec.minReadySeconds'), obj('spec.template')],
  DaemonSet: [
    obj('spec'),
    int32('spec.minReadySeconds'),
    int32('spec.revisionHistoryLimit'),
    obj('spec.updateStrategy'),
    intOrPercent('spec.updateStrategy.rollingUpdate.maxSurge'),
    intOrPercent('spec.updateStrategy.rollingUpdate.maxUnavailable'),
    obj('spec.template'),
  ],
  StatefulSet: [
    obj('spec'),
    int32('spec.replicas'),
    int32('spec.minReadySeconds'),
    int32('spec.revisionHistoryLimit'),
    int32('spec.ordinals.start'),
    obj('spec.updateStrategy'),
    int32('spec.updateStrategy.rollingUpdate.partition'),
    intOrPercent('spec.updateStrategy.rollingUpdate.maxUnavailable'),
    obj('spec.template'),
  ],
  Job: [
    obj('spec'),
    int32('spec.parallelism'),
    int32('spec.completions'),
    int32('spec.backoffLimit'),
    int32('spec.backoffLimitPerIndex'),
    int32('spec.maxFailedIndexes'),
    int64('spec.activeDeadlineSeconds', 1),
    int32('spec.ttlSecondsAfterFinished'),
    bool('spec.suspend'),
    obj('spec.template'),
  ],
  CronJob: [
    obj('spec'),
    { path: 'spec.schedule', type: 'string' },
    int64('spec.startingDeadlineSeconds'),
    int32('spec.successfulJobsHistoryLimit'),
    int32('spec.failedJobsHistoryLimit'),
    bool('spec.suspend'),
    obj('spec.jobTemplate'),
  ],
  HorizontalPodAutoscaler: [
    obj('spec'),
    obj('spec.scaleTargetRef'),
    int32('spec.minReplicas'),
    int32('spec.maxReplicas', 1),
    int32('spec.behavior.scaleUp.stabilizationWindowSeconds', 0, 3600),
    int32('spec.behavior.scaleDown.stabilizationWindowSeconds', 0, 3600),
    int32('spec.behavior.scaleUp.policies[].value', 1),
    int32('spec.behavior.scaleUp.policies[].periodSeconds', 1, 1800),
    int32('spec.behavior.scaleDown.policies[].value', 1),
    int32('spec.behavior.scaleDown.policies[].periodSeconds', 1, 1800),
    int32('spec.metrics[].resource.target.averageUtilization', 1),
    int32('spec.metrics[].containerResource.target.averageUtilization', 1),
  ],
};

/** Upstream's field.Invalid rendering of a value (Go prints numbers and strings quoted, others as JSON). */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** The problem with one value against its rule, or undefined when the value is usable. */
export function valueProblem(value: unknown, type: FieldType, min = 0, max = INT32_MAX): string | undefined {
  switch (type) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be of type boolean';
    case 'string':
      return typeof value === 'string' ? undefined : 'must be of type string';
    case 'object':
      return isPlainObject(value) ? undefined : 'must be of type object';
    case 'intOrPercent':
      if (typeof value === 'string') return /^\d+%$/.test(value) ? undefined : 'must be an integer or a percentage';
      return valueProblem(value, 'int32', 0, INT32_MAX);
    case 'int64':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be of type integer';
      if (!Number.isSafeInteger(value) || value < min) return `must be an integer in [${min}, 2^53-1]`;
      return undefined;
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be of type integer';
      if (value < min || value > max) return `must be between ${min} and ${max}, inclusive`;
      return undefined;
  }
}

/** True for a usable int32 count in [min, max] (a Scale's replicas, an annotation's number). */
export function isInt32(v: unknown, min = 0, max = INT32_MAX): v is number {
  return valueProblem(v, 'int32', min, max) === undefined;
}

function walk(root: unknown, parts: string[], at: string, rule: Rule, out: SpecProblem[]): void {
  if (root === undefined || root === null) return;
  if (parts.length === 0) {
    const detail = valueProblem(root, rule.type, rule.min, rule.max);
    if (detail) out.push({ field: at, value: root, detail });
    return;
  }
  const [head, ...rest] = parts as [string, ...string[]];
  const isArray = head.endsWith('[]');
  const name = isArray ? head.slice(0, -2) : head;
  // Intermediate objects that are not objects are reported by their own `obj` rule (or here).
  if (!isPlainObject(root)) {
    out.push({ field: at, value: root, detail: 'must be of type object' });
    return;
  }
  const next = root[name];
  const path = at ? `${at}.${name}` : name;
  if (!isArray) {
    walk(next, rest, path, rule, out);
    return;
  }
  if (next === undefined || next === null) return;
  if (!Array.isArray(next)) {
    out.push({ field: path, value: next, detail: 'must be of type array' });
    return;
  }
  for (const [i, el] of next.entries()) walk(el, rest, `${path}[${i}]`, rule, out);
}

/** Every field of `o` that its kind's controller cannot act on; empty for a usable object. */
export function specProblems(kind: string, o: unknown): SpecProblem[] {
  const out: SpecProblem[] = [];
  for (const rule of RULES[kind] ?? []) walk(o, rule.path.split('.'), '', rule, out);
  // A non-object parent is found by every rule below it: report each field once.
  const seen = new Set<string>();
  return out.filter((p) => !seen.has(p.field) && seen.add(p.field));
}

/** `spec.replicas: Invalid value: [1]: must be of type integer` (upstream field.ErrorList text). */
export function problemsMessage(problems: SpecProblem[]): string {
  return problems.map((p) => `${p.field}: Invalid value: ${show(p.value)}: ${p.detail}`).join(', ');
}

export const INVALID_SPEC_REASON = 'InvalidSpec';

/** A controller's check before it acts: refuse an unusable object with one Warning per resourceVersion. */
export class SpecGuard {
  /** uid -> resourceVersion already warned about. */
  private readonly warned = new Map<string, string>();

  constructor(
    private readonly recorder: EventRecorder,
    private readonly kind: string,
    private readonly apiVersion: string,
    private readonly log?: (msg: string, fields: Record<string, unknown>) => void,
  ) {}

  /** True when `o` must not be acted on (the caller returns without writing). */
  refuse(o: KubeObject): boolean {
    const uid = o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`;
    const problems = specProblems(this.kind, o);
    if (problems.length === 0) {
      this.warned.delete(uid);
      return false;
    }
    const rv = o.metadata.resourceVersion ?? '';
    if (this.warned.get(uid) !== rv) {
      this.warned.set(uid, rv);
      const message = `${this.kind} ${o.metadata.name} not acted on: ${problemsMessage(problems)}`;
      this.log?.('refused invalid spec', {
        kind: this.kind,
        namespace: o.metadata.namespace,
        name: o.metadata.name,
        message,
      });
      void this.recorder.event(
        { ...o, apiVersion: this.apiVersion, kind: this.kind },
        'Warning',
        INVALID_SPEC_REASON,
        message,
      );
    }
    return true;
  }

  /** Forget an object that is gone. */
  forget(uid: string | undefined): void {
    if (uid) this.warned.delete(uid);
  }
}
