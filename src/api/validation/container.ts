// Container rules (core validation.go validateContainers and helpers): names, image, ports, env, mounts,
// probes, resources.
import { type FieldError, field } from '../../core/status.js';
import { arr, invalidEach, key, nonNegative, notFound, num, obj, str } from './access.js';
import { isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from '../../core/names.js';
import { parseQuantity, QUANTITY_MESSAGE } from './quantity.js';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const HANDLER_TYPES = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

export function validateProtocol(v: unknown, path: string): FieldError[] {
  const p = str(v) ?? '';
  if (!p) return [field.required(path, '')];
  return PROTOCOLS.includes(p) ? [] : [field.notSupported(path, p, PROTOCOLS)];
}

/** An int-or-string port: a number in range or an IANA service name. */
export function validatePortNumOrName(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number') return invalidEach(path, v, isValidPortNum(v));
  if (typeof v === 'string') {
    if (v === '') return [field.required(path, '')];
    return invalidEach(path, v, isValidPortName(v));
  }
  return [field.required(path, '')];
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const port = obj(raw) ?? {};
    const name = str(port.name);
    if (name) {
      errs.push(...invalidEach(`${p}.name`, name, isValidPortName(name)));
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      names.add(name);
    }
    const cp = num(port.containerPort) ?? 0;
    if (cp === 0) errs.push(field.required(`${p}.containerPort`, ''));
    else errs.push(...invalidEach(`${p}.containerPort`, cp, isValidPortNum(cp)));
    const hp = num(port.hostPort) ?? 0;
    if (hp !== 0) errs.push(...invalidEach(`${p}.hostPort`, hp, isValidPortNum(hp)));
    errs.push(...validateProtocol(port.protocol, `${p}.protocol`));
  });
  return errs;
}

const ENV_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const e = obj(raw) ?? {};
    const name = str(e.name) ?? '';
    if (!name) errs.push(field.required(`${p}.name`, ''));
    else errs.push(...invalidEach(`${p}.name`, name, isEnvVarName(name)));
    const from = obj(e.valueFrom);
    if (!from) return;
    if (str(e.value)) errs.push(field.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    const sources = ENV_SOURCES.filter((s) => from[s] !== undefined && from[s] !== null);
    if (sources.length === 0) {
      errs.push(
        field.invalid(
          `${p}.valueFrom`,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    } else if (sources.length > 1) {
      errs.push(field.invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
    }
    for (const s of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = obj(from[s]);
      if (ref && !str(ref.key)) errs.push(field.required(`${p}.valueFrom.${s}.key`, ''));
    }
    const fieldRef = obj(from.fieldRef);
    if (fieldRef && !str(fieldRef.fieldPath)) errs.push(field.required(`${p}.valueFrom.fieldRef.fieldPath`, ''));
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(mounts).forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const m = obj(raw) ?? {};
    const name = str(m.name) ?? '';
    if (!name) errs.push(field.required(`${p}.name`, ''));
    else if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    const mountPath = str(m.mountPath) ?? '';
    if (!mountPath) errs.push(field.required(`${p}.mountPath`, ''));
    else if (seen.has(mountPath)) errs.push(field.invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    seen.add(mountPath);
  });
  return errs;
}

/** Exactly one handler, as upstream validateHandler: used by probes and lifecycle hooks. */
export function validateHandler(handler: Record<string, unknown>, path: string, kinds = HANDLER_TYPES): FieldError[] {
  const present = kinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (present.length === 0) return [field.required(path, 'must specify a handler type')];
  const errs: FieldError[] = present
    .slice(1)
    .map((k) => field.forbidden(`${path}.${k}`, 'may not specify more than 1 handler type'));
  const httpGet = obj(handler.httpGet);
  if (httpGet) {
    errs.push(...validatePortNumOrName(httpGet.port, `${path}.httpGet.port`));
    const scheme = str(httpGet.scheme);
    if (scheme !== undefined && scheme !== 'HTTP' && scheme !== 'HTTPS') {
      errs.push(field.notSupported(`${path}.httpGet.scheme`, scheme, ['HTTP', 'HTTPS']));
    }
  }
  const tcp = obj(handler.tcpSocket);
  if (tcp) errs.push(...validatePortNumOrName(tcp.port, `${path}.tcpSocket.port`));
  const exec = obj(handler.exec);
  if (exec && arr(exec.command).length === 0) errs.push(field.required(`${path}.exec.command`, ''));
  const grpc = obj(handler.grpc);
  if (grpc) errs.push(...invalidEach(`${path}.grpc.port`, grpc.port, isValidPortNum(num(grpc.port) ?? 0)));
  return errs;
}

function validateProbe(raw: unknown, path: string, successMustBeOne: boolean): FieldError[] {
  const probe = obj(raw);
  if (!probe) return [];
  const errs = validateHandler(probe, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(`${path}.${f}`, probe[f]));
  }
  const success = num(probe.successThreshold);
  if (successMustBeOne && success !== undefined && success !== 1) {
    errs.push(field.invalid(`${path}.successThreshold`, success, 'must be 1'));
  }
  return errs;
}

function validateResources(raw: unknown, path: string): FieldError[] {
  const res = obj(raw);
  if (!res) return [];
  const errs: FieldError[] = [];
  const parsed: Record<'limits' | 'requests', Record<string, number>> = { limits: {}, requests: {} };
  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(obj(res[kind]) ?? {})) {
      const p = key(`${path}.${kind}`, name);
      const v = parseQuantity(q);
      if (v === undefined) errs.push(field.invalid(p, q, QUANTITY_MESSAGE));
      else if (v < 0) errs.push(field.invalid(p, q, 'must be greater than or equal to 0'));
      else parsed[kind][name] = v;
    }
  }
  for (const [name, request] of Object.entries(parsed.requests)) {
    const limit = parsed.limits[name];
    if (limit !== undefined && request > limit) {
      const limits = obj(res.limits) ?? {};
      const requests = obj(res.requests) ?? {};
      errs.push(
        field.invalid(
          key(`${path}.requests`, name),
          requests[name],
          `must be less than or equal to ${name} limit of ${String(limits[name])}`,
        ),
      );
    }
  }
  return errs;
}

export interface ContainerContext {
  volumes: Set<string>;
  /** Names already used by earlier containers (init containers and containers share one namespace). */
  names: Set<string>;
  isInit: boolean;
}

export function validateContainer(raw: unknown, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const c = obj(raw) ?? {};
  const name = str(c.name) ?? '';
  if (!name) errs.push(field.required(`${path}.name`, ''));
  else {
    errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (ctx.names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    ctx.names.add(name);
  }
  const image = str(c.image) ?? '';
  if (!image) errs.push(field.required(`${path}.image`, ''));
  else if (image.trim() !== image) {
    errs.push(field.invalid(`${path}.image`, image, 'must not have leading or trailing whitespace'));
  }
  const pull = str(c.imagePullPolicy);
  if (pull !== undefined && !PULL_POLICIES.includes(pull)) {
    errs.push(field.notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  }
  const tmp = str(c.terminationMessagePolicy);
  if (tmp !== undefined && !TERMINATION_MESSAGE_POLICIES.includes(tmp)) {
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validatePorts(c.ports, `${path}.ports`));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validateVolumeMounts(c.volumeMounts, `${path}.volumeMounts`, ctx.volumes));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  // Regular init containers may not have probes; sidecars (restartPolicy Always) may.
  const sidecar = ctx.isInit && str(c.restartPolicy) === 'Always';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    if (ctx.isInit && !sidecar && c[probe] !== undefined) {
      errs.push(field.forbidden(`${path}.${probe}`, 'may not be set for init containers without restartPolicy=Always'));
    } else {
      errs.push(...validateProbe(c[probe], `${path}.${probe}`, probe !== 'readinessProbe'));
    }
  }
  const lifecycle = obj(c.lifecycle);
  for (const hook of ['postStart', 'preStop']) {
    const h = obj(lifecycle?.[hook]);
    if (h) errs.push(...validateHandler(h, `${path}.lifecycle.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}
