// Placeholder until the field-labels module lands.
import type { FieldLabeler } from '../policy.js';

export function fieldLabelerFor(_group: string, _kind: string): FieldLabeler | undefined {
  return undefined;
}
