// Placeholder until the conversion module lands.
import type { VersionConverter } from '../policy.js';

export function converterFor(_group: string, _version: string, _kind: string): VersionConverter | undefined {
  return undefined;
}
