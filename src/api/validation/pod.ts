// Pod and PodTemplateSpec rules, including which pod fields may change on update (ValidatePodUpdate).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { arr, deepEqual, num, obj, str } from './access.js';
import { nameIsDNSSubdomain, validateAnnotations, validateLabels, validateObjectMeta } from './objectmeta.js';
import { type PodSpecRules, validatePodSpec } from './podspec.js';

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

export function validatePod(pod: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(pod, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...validatePodSpec(pod.spec, 'spec'));
  if (old) errs.push(...validatePodSpecUpdate(obj(pod.spec) ?? {}, obj(old.spec) ?? {}));
  return errs;
}

/** PodTemplateSpec inside a workload: labels/annotations plus the spec under `<path>.spec`. */
export function validatePodTemplate(template: unknown, path: string, rules: PodSpecRules = {}): FieldError[] {
  const t = obj(template);
  if (!t) return [field.required(path, '')];
  const meta = obj(t.metadata) ?? {};
  return [
    ...validateLabels(meta.labels, `${path}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${path}.metadata.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`, rules),
  ];
}

function tolerationKey(t: unknown): string {
  const { tolerationSeconds: _ignored, ...rest } = obj(t) ?? {};
  return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
}

function sameContainersExceptImage(now: unknown, before: unknown): unknown[] {
  const prev = arr(before);
  // Each new container with its old image: anything else that changed will then differ.
  return arr(now).map((c, i) => {
    const p = obj(prev[i]);
    const n = obj(c) ?? {};
    return p ? { ...n, image: p.image } : n;
  });
}

/** The changed top-level spec fields, as a short stand-in for upstream's cmp.Diff output. */
function changedFields(a: Record<string, unknown>, b: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !deepEqual(a[k], b[k]));
  return keys.map((k) => `  spec.${k}: ${JSON.stringify(b[k])} -> ${JSON.stringify(a[k])}`).join('\n');
}

export function validatePodSpecUpdate(spec: Record<string, unknown>, oldSpec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  arr(spec.containers).forEach((c, i) => {
    if (!str(obj(c)?.image)) errs.push(field.required(`spec.containers[${i}].image`, ''));
  });
  const newAds = num(spec.activeDeadlineSeconds);
  const oldAds = num(oldSpec.activeDeadlineSeconds);
  if (oldAds !== undefined) {
    if (newAds === undefined) {
      errs.push(
        field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'),
      );
    } else if (newAds > oldAds) {
      errs.push(field.invalid('spec.activeDeadlineSeconds', newAds, 'must be less than or equal to previous value'));
    }
  }
  const oldTolerations = new Set(arr(oldSpec.tolerations).map(tolerationKey));
  const newTolerations = new Set(arr(spec.tolerations).map(tolerationKey));
  const tolerationsOk = [...oldTolerations].every((t) => newTolerations.has(t));
  if (!tolerationsOk) {
    errs.push(
      field.forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'),
    );
  }

  // Munge the new spec with the old values of every updatable field, then require equality.
  const munged: Record<string, unknown> = { ...spec };
  munged.containers = sameContainersExceptImage(spec.containers, oldSpec.containers);
  if (spec.initContainers !== undefined || oldSpec.initContainers !== undefined) {
    munged.initContainers = sameContainersExceptImage(spec.initContainers, oldSpec.initContainers);
    if (oldSpec.initContainers === undefined && arr(spec.initContainers).length === 0) delete munged.initContainers;
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  const oldGrace = num(oldSpec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && num(spec.terminationGracePeriodSeconds) === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  for (const k of Object.keys(munged)) if (munged[k] === undefined) delete munged[k];
  if (!deepEqual(munged, oldSpec)) {
    errs.push(
      field.forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${changedFields(munged, oldSpec)}`,
      ),
    );
  }
  return errs;
}
