// batch/v1 Job and CronJob defaults (batch/v1 defaults.go) and the generated selector (job strategy generateSelector).
import type { KubeObject } from '../../core/types.js';
import { asObj, child, objects, setDefault } from './access.js';
import { defaultPodTemplate } from './pod.js';

const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const JOB_NAME = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID = 'controller-uid';
const LEGACY_JOB_NAME = 'job-name';

/** Labels the template and selects on the job's uid, unless the user manages the selector. */
function generateSelector(o: KubeObject, spec: Record<string, unknown>): void {
  const uid = o.metadata.uid;
  if (spec.manualSelector === true || !uid) return;
  const template = child(spec, 'template');
  const labels = child(child(template, 'metadata'), 'labels');
  const name = o.metadata.name ?? '';
  setDefault(labels, LEGACY_JOB_NAME, name);
  setDefault(labels, JOB_NAME, name);
  setDefault(labels, LEGACY_CONTROLLER_UID, uid);
  setDefault(labels, CONTROLLER_UID, uid);
  const matchLabels = child(child(spec, 'selector'), 'matchLabels');
  setDefault(matchLabels, CONTROLLER_UID, uid);
}

export function defaultJob(o: KubeObject): void {
  const spec = child(o, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', spec.backoffLimitPerIndex != null ? 2147483647 : 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed');
  for (const rule of objects(asObj(spec.podFailurePolicy)?.rules)) {
    for (const cond of objects(rule.onPodConditions)) setDefault(cond, 'status', 'True');
  }
  generateSelector(o, spec);
  defaultPodTemplate(spec.template, { restartPolicy: false });
  // A job without labels takes its template's (upstream SetDefaults_Job, seen after the selector is added).
  const templateLabels = asObj(asObj(asObj(spec.template)?.metadata)?.labels);
  if ((!o.metadata.labels || Object.keys(o.metadata.labels).length === 0) && templateLabels) {
    o.metadata.labels = { ...(templateLabels as Record<string, string>) };
  }
}

/** CronJob defaults; its job template only gets the pod template's (upstream defaults no JobSpec fields there). */
export function defaultCronJob(o: KubeObject): void {
  const spec = child(o, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = asObj(asObj(spec.jobTemplate)?.spec);
  for (const rule of objects(asObj(jobSpec?.podFailurePolicy)?.rules)) {
    for (const cond of objects(rule.onPodConditions)) setDefault(cond, 'status', 'True');
  }
  defaultPodTemplate(jobSpec?.template, { restartPolicy: false });
}
