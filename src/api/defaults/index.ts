// Placeholder until the defaults module lands: no resource has defaults yet.
import type { Defaulter } from '../policy.js';

export function defaulterFor(_group: string, _kind: string): Defaulter | undefined {
  return undefined;
}
