// Placeholder until the printers module lands.
import type { TableSpec } from '../policy.js';

export function tableFor(_group: string, _kind: string): TableSpec | undefined {
  return undefined;
}
