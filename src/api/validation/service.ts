// core/v1 Service (core validation.go ValidateService and ValidateServiceUpdate).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { arr, invalidEach, num, obj, str } from './access.js';
import { validatePortNumOrName, validateProtocol } from './container.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum } from '../../core/names.js';
import { validateLabels, validateObjectMeta } from './objectmeta.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

const isHeadless = (spec: Record<string, unknown>) => str(spec.clusterIP) === 'None';

function validatePorts(spec: Record<string, unknown>, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const ports = arr(spec.ports);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(field.required('spec.ports', ''));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((raw, i) => {
    const p = `spec.ports[${i}]`;
    const port = obj(raw) ?? {};
    const name = str(port.name) ?? '';
    if (ports.length > 1 && !name) errs.push(field.required(`${p}.name`, ''));
    if (name) {
      errs.push(...invalidEach(`${p}.name`, name, isDNS1123Label(name)));
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      names.add(name);
    }
    const n = num(port.port) ?? 0;
    errs.push(...invalidEach(`${p}.port`, n, isValidPortNum(n)));
    errs.push(...validateProtocol(port.protocol, `${p}.protocol`));
    if (port.targetPort !== undefined) errs.push(...validatePortNumOrName(port.targetPort, `${p}.targetPort`));
    const nodePort = num(port.nodePort);
    if (nodePort !== undefined && nodePort !== 0) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') {
        errs.push(field.forbidden(`${p}.nodePort`, `may not be used when \`type\` is '${type}'`));
      } else errs.push(...invalidEach(`${p}.nodePort`, nodePort, isValidPortNum(nodePort)));
    }
    const k = `${n}/${str(port.protocol) ?? ''}`;
    if (keys.has(k)) errs.push(field.duplicate(p, { port: n, protocol: str(port.protocol) ?? '' }));
    keys.add(k);
  });
  return errs;
}

function validateClusterIPs(spec: Record<string, unknown>, type: string): FieldError[] {
  const errs: FieldError[] = [];
  const ips = arr(spec.clusterIPs).map(String);
  const ip = str(spec.clusterIP);
  if (type === 'ExternalName') {
    if (ip && ip !== '') errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    return errs;
  }
  if (ip && ips.length > 0 && ips[0] !== ip) {
    errs.push(field.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  }
  const all = ips.length ? ips : ip ? [ip] : [];
  all.forEach((v, i) => {
    if (v === 'None' || v === '') return;
    if (!isValidIP(v))
      errs.push(
        field.invalid(`spec.clusterIPs[${i}]`, v, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
      );
  });
  return errs;
}

export function validateService(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: isDNS1035Label });
  const type = str(spec.type) ?? 'ClusterIP';
  if (!TYPES.includes(type)) errs.push(field.notSupported('spec.type', type, TYPES));
  if (type === 'ExternalName') {
    const name = str(spec.externalName) ?? '';
    if (!name) errs.push(field.required('spec.externalName', ''));
    else errs.push(...invalidEach('spec.externalName', name, isDNS1123Subdomain(name.replace(/\.$/, ''))));
  }
  errs.push(...validatePorts(spec, type));
  errs.push(...validateClusterIPs(spec, type));
  if (type !== 'ExternalName') errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = str(spec.sessionAffinity);
  if (affinity !== undefined && !AFFINITIES.includes(affinity)) {
    errs.push(field.notSupported('spec.sessionAffinity', affinity, AFFINITIES));
  }
  for (const f of ['externalTrafficPolicy', 'internalTrafficPolicy']) {
    const v = str(spec[f]);
    if (v !== undefined && v !== '' && !TRAFFIC_POLICIES.includes(v))
      errs.push(field.notSupported(`spec.${f}`, v, TRAFFIC_POLICIES));
  }
  if (str(spec.externalTrafficPolicy) && type !== 'NodePort' && type !== 'LoadBalancer') {
    errs.push(
      field.forbidden('spec.externalTrafficPolicy', "may only be set when `type` is 'NodePort' or 'LoadBalancer'"),
    );
  }
  const familyPolicy = str(spec.ipFamilyPolicy);
  if (familyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(familyPolicy)) {
    errs.push(field.notSupported('spec.ipFamilyPolicy', familyPolicy, IP_FAMILY_POLICIES));
  }
  arr(spec.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(field.notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
  });
  if (old) errs.push(...validateServiceUpdate(spec, obj(old.spec) ?? {}));
  return errs;
}

/**
 * clusterIP may not change once allocated, unless the type changes to or from ExternalName. An update that
 * omits clusterIP is treated as keeping it (upstream's REST layer copies allocated values forward first).
 */
function validateServiceUpdate(spec: Record<string, unknown>, oldSpec: Record<string, unknown>): FieldError[] {
  if (str(spec.type) === 'ExternalName' || str(oldSpec.type) === 'ExternalName') return [];
  const now = arr(spec.clusterIPs).map(String);
  const before = arr(oldSpec.clusterIPs).map(String);
  if (now.length === 0 && str(spec.clusterIP)) now.push(str(spec.clusterIP)!);
  if (before.length === 0 && str(oldSpec.clusterIP)) before.push(str(oldSpec.clusterIP)!);
  const errs: FieldError[] = [];
  for (let i = 0; i < Math.min(now.length, before.length); i++) {
    if (now[i] && before[i] && now[i] !== before[i]) {
      errs.push(field.invalid(`spec.clusterIPs[${i}]`, now, 'may not change once set'));
    }
  }
  return errs;
}
