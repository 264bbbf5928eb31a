// Kubernetes Status errors. Every failure the API server returns is one of these, with the upstream
// HTTP code and reason, so kubectl prints `Error from server (<reason>): <message>`.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'TooManyRequests'
  | 'InternalError'
  | 'Timeout'
  | 'ServiceUnavailable';

/** metav1.StatusCause. `type` is Go's field name; on the wire it is `reason` (its JSON tag). */
export interface StatusCause {
  type?: string;
  message?: string;
  field?: string;
}

/** A cause as JSON carries it. */
export interface WireStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: Omit<StatusDetails, 'causes'> & { causes?: WireStatusCause[] };
  code: number;
}

/** An error that carries the Status to send. Throw it anywhere below a handler. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  /** The body upstream sends: metav1.Status's field order, empty details members left out (omitempty). */
  toStatus(): Status {
    const details = this.details === undefined ? undefined : compactDetails(this.details);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(details ? { details } : {}),
      code: this.code,
    };
  }
}

function compactDetails(d: StatusDetails): NonNullable<Status['details']> {
  const out: NonNullable<Status['details']> = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes && d.causes.length > 0) {
    out.causes = d.causes.map((c) => {
      const w: WireStatusCause = {};
      if (c.type) w.reason = c.type;
      if (c.message) w.message = c.message;
      if (c.field) w.field = c.field;
      return w;
    });
  }
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** A field-level validation failure, as upstream's field.Error. */
export interface FieldError {
  /** e.g. 'FieldValueInvalid', 'FieldValueRequired', 'FieldValueNotSupported', 'FieldValueForbidden', 'FieldValueDuplicate', 'FieldValueTooLong' */
  type: string;
  /** Dotted path with indexes, e.g. spec.containers[0].name */
  field: string;
  message: string;
}

/** schema.GroupResource / GroupKind String(): `deployments.apps`, `Deployment.apps`, `pods`. */
function resourceLabel(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** utilerrors.Aggregate's text: one error alone, several in brackets; repeated messages once. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

export const errors = {
  badRequest: (message: string) => new StatusError(400, 'BadRequest', message),
  unauthorized: () => new StatusError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string) => new StatusError(403, 'Forbidden', message),
  /** NewForbidden(qualifiedResource, name, err): `namespaces "default" is forbidden: <why>`. */
  /** upstream NewForbidden: `<resource>.<group> "name" is forbidden: why`, without the name when there is none. */
  forbiddenObject: (group: string, resource: string, name: string, why: string) =>
    new StatusError(
      403,
      'Forbidden',
      `${resourceLabel(group, resource)}${name ? ` "${name}"` : ''} is forbidden: ${why}`,
      {
        name,
        group,
        kind: resource,
      },
    ),
  notFound: (group: string, resource: string, name: string) =>
    new StatusError(404, 'NotFound', `${resourceLabel(group, resource)} "${name}" not found`, {
      name,
      group,
      kind: resource,
    }),
  notFoundPath: (message = 'the server could not find the requested resource') =>
    new StatusError(404, 'NotFound', message, {}),
  alreadyExists: (group: string, resource: string, name: string) =>
    new StatusError(409, 'AlreadyExists', `${resourceLabel(group, resource)} "${name}" already exists`, {
      name,
      group,
      kind: resource,
    }),
  conflict: (group: string, resource: string, name: string, why: string) =>
    new StatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resourceLabel(group, resource)} "${name}": ${why}`,
      { name, group, kind: resource },
    ),
  /** 409 from server-side apply field-manager conflicts; message lists the conflicting fields. */
  applyConflict: (message: string, causes: StatusCause[]) => new StatusError(409, 'Conflict', message, { causes }),
  gone: (message: string) => new StatusError(410, 'Gone', message),
  expired: (message: string) => new StatusError(410, 'Expired', message),
  invalid: (group: string, kind: string, name: string, errs: FieldError[]) =>
    new StatusError(
      422,
      'Invalid',
      errs.length === 0
        ? `${resourceLabel(group, kind)} "${name}" is invalid`
        : `${resourceLabel(group, kind)} "${name}" is invalid: ${aggregate(errs.map((e) => `${e.field}: ${e.message}`))}`,
      {
        name,
        group,
        kind,
        causes: errs.map((e) => ({ type: e.type, message: e.message, field: e.field })),
      },
    ),
  methodNotAllowed: (message: string) => new StatusError(405, 'MethodNotAllowed', message),
  notAcceptable: (message: string) => new StatusError(406, 'NotAcceptable', message),
  unsupportedMediaType: (contentType: string) =>
    new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`,
    ),
  tooLarge: (message = 'the request entity is too large') => new StatusError(413, 'RequestEntityTooLarge', message),
  tooManyRequests: (message: string) => new StatusError(429, 'TooManyRequests', message),
  internal: (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`),
  timeout: (message: string) => new StatusError(504, 'Timeout', message),
};

/** FieldError constructors with upstream wording (k8s.io/apimachinery/pkg/util/validation/field). */
export const field = {
  required: (path: string, detail = ''): FieldError => ({
    type: 'FieldValueRequired',
    field: path,
    message: detail ? `Required value: ${detail}` : 'Required value',
  }),
  invalid: (path: string, value: unknown, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field: path,
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  }),
  notSupported: (path: string, value: unknown, valid: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field: path,
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}`,
  }),
  forbidden: (path: string, detail: string): FieldError => ({
    type: 'FieldValueForbidden',
    field: path,
    message: `Forbidden: ${detail}`,
  }),
  duplicate: (path: string, value: unknown): FieldError => ({
    type: 'FieldValueDuplicate',
    field: path,
    message: `Duplicate value: ${JSON.stringify(value)}`,
  }),
  tooLong: (path: string, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field: path,
    message: `Too long: may not be more than ${max} bytes`,
  }),
};
