// PodSpec rules (core validation.go ValidatePodSpec) for pods and every pod template.
import { type FieldError, field } from '../../core/status.js';
import { arr, invalidEach, num, obj, str } from './access.js';
import { validateContainer } from './container.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../core/names.js';
import { validateLabels } from './objectmeta.js';
import { validateVolumes } from './volumes.js';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const t = obj(raw) ?? {};
    const k = str(t.key) ?? '';
    const op = str(t.operator) ?? 'Equal';
    if (k) errs.push(...invalidEach(`${p}.key`, k, isQualifiedName(k)));
    else if (op !== 'Exists') {
      errs.push(
        field.invalid(
          `${p}.operator`,
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (!TOLERATION_OPERATORS.includes(op)) errs.push(field.notSupported(`${p}.operator`, op, TOLERATION_OPERATORS));
    if (op === 'Exists' && str(t.value)) {
      errs.push(field.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    }
    const effect = str(t.effect);
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(field.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
    if (t.tolerationSeconds !== undefined && effect !== 'NoExecute') {
      errs.push(
        field.invalid(`${p}.effect`, effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
  });
  return errs;
}

export interface PodSpecRules {
  /** Restart policies allowed here; undefined means any of the three. */
  restartPolicies?: string[];
}

export function validatePodSpec(spec: unknown, path: string, rules: PodSpecRules = {}): FieldError[] {
  const s = obj(spec) ?? {};
  const { errs, names: volumes } = validateVolumes(s.volumes, `${path}.volumes`);
  const names = new Set<string>();
  arr(s.initContainers).forEach((c, i) => {
    errs.push(...validateContainer(c, `${path}.initContainers[${i}]`, { volumes, names, isInit: true }));
  });
  const containers = arr(s.containers);
  if (containers.length === 0) errs.push(field.required(`${path}.containers`, ''));
  containers.forEach((c, i) => {
    errs.push(...validateContainer(c, `${path}.containers[${i}]`, { volumes, names, isInit: false }));
  });

  const restart = str(s.restartPolicy) ?? '';
  const allowedRestart = rules.restartPolicies ?? RESTART_POLICIES;
  if (!restart) errs.push(field.required(`${path}.restartPolicy`, ''));
  else if (!allowedRestart.includes(restart))
    errs.push(field.notSupported(`${path}.restartPolicy`, restart, allowedRestart));

  const dns = str(s.dnsPolicy);
  if (dns !== undefined && !DNS_POLICIES.includes(dns))
    errs.push(field.notSupported(`${path}.dnsPolicy`, dns, DNS_POLICIES));
  if (dns === 'None' && !obj(s.dnsConfig)) {
    errs.push(field.required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  const ads = num(s.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > 2147483647)) {
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, ads, 'must be between 1 and 2147483647, inclusive'));
  }
  for (const f of ['serviceAccountName', 'nodeName', 'hostname', 'subdomain']) {
    const v = str(s[f]);
    if (!v) continue;
    const check = f === 'hostname' || f === 'subdomain' ? isDNS1123Label : isDNS1123Subdomain;
    errs.push(...invalidEach(`${path}.${f}`, v, check(v)));
  }
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  arr(s.imagePullSecrets).forEach((r, i) => {
    if (!str(obj(r)?.name)) errs.push(field.required(`${path}.imagePullSecrets[${i}].name`, ''));
  });
  return errs;
}
