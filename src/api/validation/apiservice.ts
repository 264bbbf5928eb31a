// apiregistration.k8s.io/v1 APIService (kube-aggregator validation.go): named `<version>.<group>`,
// priorities in range, and a service reference unless the API is local.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortNum } from '../../core/names.js';
import { arr, invalidEach, num, obj, str } from './access.js';
import { validateObjectMeta } from './objectmeta.js';

const CONDITION_STATUS = ['True', 'False', 'Unknown'];

export function validateAPIService(o: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const group = str(spec.group) ?? '';
  const version = str(spec.version) ?? '';
  const required = `${version}.${group}`;
  const errs = validateObjectMeta(o, {
    namespaced: false,
    name: (name) => {
      const segment = isValidPathSegmentName(name);
      if (segment.length) return segment;
      return name === required ? [] : [`must be \`spec.version+"."+spec.group\`: ${JSON.stringify(required)}`];
    },
  });
  if (!group && version !== 'v1') {
    errs.push(field.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  }
  if (group) errs.push(...invalidEach('spec.group', group, isDNS1123Subdomain(group)));
  errs.push(...invalidEach('spec.version', version, isDNS1035Label(version)));
  const groupPriority = num(spec.groupPriorityMinimum) ?? 0;
  if (groupPriority <= 0 || groupPriority > 20000) {
    errs.push(field.invalid('spec.groupPriorityMinimum', groupPriority, 'must be positive and less than 20000'));
  }
  const versionPriority = num(spec.versionPriority) ?? 0;
  if (versionPriority <= 0 || versionPriority > 1000) {
    errs.push(field.invalid('spec.versionPriority', versionPriority, 'must be positive and less than 1000'));
  }
  const caBundle = str(spec.caBundle) ?? '';
  const insecure = spec.insecureSkipTLSVerify === true;
  const service = obj(spec.service);
  if (!service) {
    if (caBundle) {
      const bytes = Buffer.from(caBundle, 'base64').length;
      errs.push(field.invalid('spec.caBundle', `${bytes} bytes`, 'local APIServices may not have a caBundle'));
    }
    if (insecure)
      errs.push(
        field.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'),
      );
  } else {
    if (!str(service.namespace)) errs.push(field.required('spec.service.namespace', ''));
    if (!str(service.name)) errs.push(field.required('spec.service.name', ''));
    const port = num(service.port) ?? 0;
    const portErrs = isValidPortNum(port);
    if (portErrs.length)
      errs.push(field.invalid('spec.service.port', port, `port is not valid: ${portErrs.join(', ')}`));
    if (insecure && caBundle) {
      errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
    }
  }
  arr(obj(o.status)?.conditions).forEach((c, i) => {
    const status = str(obj(c)?.status) ?? '';
    if (!CONDITION_STATUS.includes(status)) {
      errs.push(field.notSupported(`status.conditions[${i}].status`, status, CONDITION_STATUS));
    }
  });
  return errs;
}
