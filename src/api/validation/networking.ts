// networking.k8s.io/v1 Ingress, IngressClass, NetworkPolicy (networking validation.go).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidIP,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
} from '../../core/names.js';
import { arr, immutable, invalidEach, num, obj, type Obj, str } from './access.js';
import { isStrictSubset, parseCidr } from './cidr.js';
import { validateLabelSelector } from './labelselector.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const MAX_CONTROLLER_LENGTH = 250;
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const WILDCARD_RE = new RegExp(`^\\*\\.${DNS1123_SUBDOMAIN_FMT}$`);
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH_RE = new RegExp(`^${HTTP_PATH_FMT}$`);
const CIDR_MESSAGE = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** validation.IsWildcardDNS1123Subdomain */
function isWildcardDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!WILDCARD_RE.test(v)) {
    errs.push(
      "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\." +
        DNS1123_SUBDOMAIN_FMT +
        "')",
    );
  }
  return errs;
}

function validateHost(host: string, path: string): FieldError[] {
  return host.includes('*')
    ? invalidEach(path, host, isWildcardDNS1123Subdomain(host))
    : invalidEach(path, host, isDNS1123Subdomain(host));
}

function validateTypedReference(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const group = str(ref.apiGroup);
  if (group !== undefined) errs.push(...invalidEach(`${path}.apiGroup`, group, isDNS1123Subdomain(group)));
  for (const f of ['kind', 'name']) {
    const v = str(ref[f]) ?? '';
    if (!v) errs.push(field.required(`${path}.${f}`, `${f} is required`));
    else errs.push(...invalidEach(`${path}.${f}`, v, isValidPathSegmentName(v)));
  }
  return errs;
}

function validateBackend(backend: Obj, path: string): FieldError[] {
  const resource = obj(backend.resource);
  const service = obj(backend.service);
  if (resource && service) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (resource) return validateTypedReference(resource, `${path}.resource`);
  if (!service) return [field.invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = str(service.name) ?? '';
  if (!name) errs.push(field.required(`${path}.service.name`, ''));
  else errs.push(...invalidEach(`${path}.service.name`, name, isDNS1035Label(name)));
  const port = obj(service.port) ?? {};
  const portName = str(port.name) ?? '';
  const portNumber = num(port.number) ?? 0;
  if (portName && portNumber) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...invalidEach(`${path}.service.port.name`, portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(`${path}.service.port.number`, portNumber, isValidPortNum(portNumber)));
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(p: Obj, path: string): FieldError[] {
  const type = str(p.pathType);
  if (type === undefined) return [field.required(`${path}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = str(p.path) ?? '';
  if (type === 'Exact' || type === 'Prefix') {
    if (!value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) {
      if (value.includes(seq)) errs.push(field.invalid(`${path}.path`, value, `must not contain '${seq}'`));
    }
    for (const suffix of INVALID_PATH_SUFFIXES) {
      if (value.endsWith(suffix)) errs.push(field.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
    }
  } else if (type === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
  } else {
    errs.push(field.notSupported(`${path}.pathType`, type, PATH_TYPES));
  }
  errs.push(...validateBackend(obj(p.backend) ?? {}, `${path}.backend`));
  return errs;
}

function validateRules(rules: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((raw, i) => {
    const p = `spec.rules[${i}]`;
    const rule = obj(raw) ?? {};
    const host = str(rule.host) ?? '';
    if (host) {
      if (isValidIP(host)) errs.push(field.invalid(`${p}.host`, host, 'must be a DNS name, not an IP address'));
      errs.push(...validateHost(host, `${p}.host`));
    }
    const http = obj(rule.http);
    if (!http) return;
    const paths = arr(http.paths);
    if (paths.length === 0) errs.push(field.required(`${p}.http.paths`, ''));
    paths.forEach((x, j) => {
      errs.push(...validateHTTPPath(obj(x) ?? {}, `${p}.http.paths[${j}]`));
    });
  });
  return errs;
}

export function validateIngress(o: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const rules = arr(spec.rules);
  const defaultBackend = obj(spec.defaultBackend);
  if (rules.length === 0 && !defaultBackend) {
    errs.push(field.invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (defaultBackend) errs.push(...validateBackend(defaultBackend, 'spec.defaultBackend'));
  errs.push(...validateRules(rules));
  arr(spec.tls).forEach((raw, i) => {
    const tls = obj(raw) ?? {};
    arr(tls.hosts).forEach((h, j) => {
      errs.push(...validateHost(String(h), `spec.tls[${i}].hosts[${j}]`));
    });
    const secret = str(tls.secretName);
    if (secret) errs.push(...invalidEach(`spec.tls[${i}].secretName`, secret, isDNS1123Subdomain(secret)));
  });
  const className = str(spec.ingressClassName);
  if (className !== undefined)
    errs.push(...invalidEach('spec.ingressClassName', className, isDNS1123Subdomain(className)));
  const annotation = o.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotation !== undefined && className !== undefined && annotation !== className) {
    errs.push(
      field.invalid(
        `annotations.${INGRESS_CLASS_ANNOTATION}`,
        annotation,
        'must match `ingressClassName` when both are specified',
      ),
    );
  }
  arr(obj(obj(o.status)?.loadBalancer)?.ingress).forEach((raw, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    const ing = obj(raw) ?? {};
    const ip = str(ing.ip);
    if (ip && !isValidIP(ip))
      errs.push(field.invalid(`${p}.ip`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    const hostname = str(ing.hostname);
    if (hostname) {
      errs.push(...invalidEach(`${p}.hostname`, hostname, isDNS1123Subdomain(hostname)));
      if (isValidIP(hostname))
        errs.push(field.invalid(`${p}.hostname`, hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

/** validation.IsDomainPrefixedPath: `example.com/path`. */
function validateController(controller: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (controller.length > MAX_CONTROLLER_LENGTH) errs.push(field.tooLong(path, MAX_CONTROLLER_LENGTH));
  if (!controller) return [...errs, field.required(path, '')];
  const slash = controller.indexOf('/');
  const host = slash < 0 ? controller : controller.slice(0, slash);
  const rest = slash < 0 ? '' : controller.slice(slash + 1);
  if (slash < 0 || !host || !rest) {
    return [...errs, field.invalid(path, controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  errs.push(...invalidEach(path, host, isDNS1123Subdomain(host)));
  if (!HTTP_PATH_RE.test(rest)) {
    errs.push(field.invalid(path, rest, `must be a valid path (regex used for validation is '${HTTP_PATH_FMT}')`));
  }
  return errs;
}

function validateParameters(params: Obj | undefined): FieldError[] {
  if (!params) return [];
  const path = 'spec.parameters';
  const errs = validateTypedReference(params, path);
  const scope = str(params.scope);
  if (scope === undefined) return [...errs, field.required(`${path}.scope`, '')];
  if (scope !== 'Cluster' && scope !== 'Namespace') {
    errs.push(field.notSupported(`${path}.scope`, scope, ['Cluster', 'Namespace']));
  } else if (scope === 'Namespace') {
    const ns = str(params.namespace);
    if (ns === undefined) errs.push(field.required(`${path}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else errs.push(...invalidEach(`${path}.namespace`, ns, isDNS1123Label(ns)));
  } else if (params.namespace !== undefined) {
    errs.push(field.forbidden(`${path}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

export function validateIngressClass(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs: FieldError[] = [];
  if (old) errs.push(...immutable('spec.controller', spec.controller, obj(old.spec)?.controller));
  errs.push(...validateObjectMeta(o, { namespaced: false, name: nameIsDNSSubdomain }));
  errs.push(...validateController(str(spec.controller) ?? '', 'spec.controller'));
  errs.push(...validateParameters(obj(spec.parameters)));
  return errs;
}

function validatePolicyPort(port: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const protocol = str(port.protocol);
  if (protocol !== undefined && !PROTOCOLS.includes(protocol)) {
    errs.push(field.notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  }
  const end = num(port.endPort);
  if (typeof port.port === 'number') {
    errs.push(...invalidEach(`${path}.port`, port.port, isValidPortNum(port.port)));
    if (end !== undefined) {
      if (end < port.port)
        errs.push(field.invalid(`${path}.endPort`, port.port, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(`${path}.endPort`, end, isValidPortNum(end)));
    }
  } else if (typeof port.port === 'string') {
    if (end !== undefined)
      errs.push(field.invalid(`${path}.endPort`, end, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidEach(`${path}.port`, port.port, isValidPortName(port.port)));
  } else if (end !== undefined) {
    errs.push(field.invalid(`${path}.endPort`, end, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validateIPBlock(block: Obj, path: string): FieldError[] {
  const cidrText = str(block.cidr) ?? '';
  if (!cidrText) return [field.required(`${path}.cidr`, '')];
  const cidr = parseCidr(cidrText);
  if (!cidr) return [field.invalid(`${path}.cidr`, cidrText, CIDR_MESSAGE)];
  const errs: FieldError[] = [];
  arr(block.except).forEach((raw, i) => {
    const text = String(raw);
    const except = parseCidr(text);
    if (!except) errs.push(field.invalid(`${path}.except[${i}]`, text, CIDR_MESSAGE));
    else if (!isStrictSubset(except, cidr)) {
      errs.push(field.invalid(`${path}.except[${i}]`, text, 'must be a strict subset of `cidr`'));
    }
  });
  return errs;
}

function validatePeer(peer: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let peers = 0;
  for (const f of ['podSelector', 'namespaceSelector']) {
    if (!obj(peer[f])) continue;
    peers++;
    errs.push(...validateLabelSelector(peer[f], `${path}.${f}`));
  }
  const block = obj(peer.ipBlock);
  if (block) {
    peers++;
    errs.push(...validateIPBlock(block, `${path}.ipBlock`));
  }
  if (peers === 0) errs.push(field.required(path, 'must specify a peer'));
  else if (peers > 1 && block) errs.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

export function validateNetworkPolicy(o: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  for (const [dir, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    arr(spec[dir]).forEach((raw, i) => {
      const rule = obj(raw) ?? {};
      const p = `spec.${dir}[${i}]`;
      arr(rule.ports).forEach((port, j) => {
        errs.push(...validatePolicyPort(obj(port) ?? {}, `${p}.ports[${j}]`));
      });
      arr(rule[peersKey]).forEach((peer, j) => {
        errs.push(...validatePeer(obj(peer) ?? {}, `${p}.${peersKey}[${j}]`));
      });
    });
  }
  const types = arr(spec.policyTypes).map(String);
  if (types.length > 2) {
    errs.push(field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress')
      errs.push(field.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}
