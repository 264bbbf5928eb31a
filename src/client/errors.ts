// ApiError: a non-2xx answer from the API server, carrying the Kubernetes Status it sent.

import type { Status, StatusReason } from '../core/status.js';
import { isPlainObject } from '../core/json.js';

const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(
    readonly status: Status,
    readonly method = '',
    readonly path = '',
  ) {
    super(status.message ?? `${status.code} ${status.reason ?? ''}`.trim());
    this.name = 'ApiError';
    this.code = status.code;
    this.reason = status.reason ?? '';
  }

  /** Builds an ApiError from a response body, synthesising a Status when the body is not one. */
  static fromResponse(code: number, body: string, method: string, path: string): ApiError {
    return new ApiError(statusFromBody(code, body), method, path);
  }
}

export function statusFromBody(code: number, body: string): Status {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isPlainObject(parsed) && parsed['kind'] === 'Status') {
      const s = parsed as unknown as Status;
      return { ...s, code: typeof s.code === 'number' && s.code > 0 ? s.code : code };
    }
  } catch {
    // not JSON: fall through to a synthesised Status
  }
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code,
    reason: reasonByCode[code] ?? 'Unknown',
    message: body.trim() || `the server responded with HTTP ${code}`,
  };
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function isNotFound(err: unknown): boolean {
  return isApiError(err) && err.code === 404;
}

export function isConflict(err: unknown): boolean {
  return isApiError(err) && err.code === 409;
}

export function isAlreadyExists(err: unknown): boolean {
  return isApiError(err) && err.code === 409 && err.reason === 'AlreadyExists';
}

/** 410 Gone or Expired: the requested resourceVersion is no longer in the server's history. */
export function isResourceExpired(err: unknown): boolean {
  return isApiError(err) && err.code === 410;
}
