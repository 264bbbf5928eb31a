// IntOrString fields that take a count or a percentage (rolling update maxSurge/maxUnavailable).
import { type FieldError, field } from '../../core/status.js';
import { invalidEach } from './access.js';
import { isValidPercent } from '../../core/names.js';

export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return invalidEach(path, v, isValidPercent(v));
  if (typeof v === 'number' && v < 0) return [field.invalid(path, v, 'must be greater than or equal to 0')];
  return [];
}

/** The numeric part: the count, or the percentage for "25%". */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.endsWith('%')) return Number(v.slice(0, -1)) || 0;
  return 0;
}

export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'string' && isValidPercent(v).length === 0 && intOrPercentValue(v) > 100
    ? [field.invalid(path, v, 'must not be greater than 100%')]
    : [];
}
