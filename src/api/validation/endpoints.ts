// Endpoints and discovery.k8s.io/v1 EndpointSlice.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { arr, invalidEach, num, obj, str } from './access.js';
import { validateProtocol } from './container.js';
import { isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isValidIP, isValidPortNum } from '../../core/names.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function validatePort(raw: unknown, path: string, requireName: boolean, names: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const port = obj(raw) ?? {};
  const name = str(port.name) ?? '';
  if (requireName && !name) errs.push(field.required(`${path}.name`, ''));
  if (name) {
    errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    names.add(name);
  }
  const n = num(port.port);
  if (n !== undefined || requireName) errs.push(...invalidEach(`${path}.port`, n ?? 0, isValidPortNum(n ?? 0)));
  errs.push(...validateProtocol(port.protocol, `${path}.protocol`));
  return errs;
}

export function validateEndpoints(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  arr(o.subsets).forEach((raw, i) => {
    const p = `subsets[${i}]`;
    const subset = obj(raw) ?? {};
    for (const list of ['addresses', 'notReadyAddresses']) {
      arr(subset[list]).forEach((a, j) => {
        const ip = str(obj(a)?.ip) ?? '';
        if (!isValidIP(ip)) errs.push(field.invalid(`${p}.${list}[${j}].ip`, ip, IP_MESSAGE));
      });
    }
    const ports = arr(subset.ports);
    const names = new Set<string>();
    ports.forEach((port, j) => {
      errs.push(...validatePort(port, `${p}.ports[${j}]`, ports.length > 1, names));
    });
  });
  return errs;
}

export function validateEndpointSlice(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const type = str(o.addressType) ?? '';
  if (!type) errs.push(field.required('addressType', ''));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(field.notSupported('addressType', type, ADDRESS_TYPES));
  const check = type === 'IPv4' ? isIPv4 : type === 'IPv6' ? isIPv6 : (v: string) => isDNS1123Subdomain(v).length === 0;
  const endpoints = arr(o.endpoints);
  if (endpoints.length > 1000) errs.push(field.tooLong('endpoints', 1000));
  endpoints.forEach((raw, i) => {
    const addresses = arr(obj(raw)?.addresses);
    const p = `endpoints[${i}].addresses`;
    if (addresses.length === 0) errs.push(field.required(p, 'must contain at least 1 address'));
    else if (addresses.length > 100) errs.push(field.tooLong(p, 100));
    addresses.forEach((a, j) => {
      const v = String(a);
      if (ADDRESS_TYPES.includes(type) && !check(v)) {
        errs.push(field.invalid(`${p}[${j}]`, v, type === 'FQDN' ? 'must be a valid FQDN' : IP_MESSAGE));
      }
    });
  });
  const names = new Set<string>();
  arr(o.ports).forEach((port, i) => {
    errs.push(...validatePort(port, `ports[${i}]`, false, names));
  });
  return errs;
}
