// Placeholder until the validation module lands.
import type { Validator } from '../policy.js';

export function validatorFor(_group: string, _kind: string): Validator | undefined {
  return undefined;
}
