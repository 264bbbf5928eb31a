// Plugin results, as in upstream framework.Status. `null` stands for Success on the hot path.

export type StatusCode = 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip' | 'Error';

export interface Status {
  code: StatusCode;
  /** Human-readable reasons; FitError counts each reason once per node. */
  reasons: string[];
  /** The plugin that returned it, filled in by the framework. */
  plugin?: string;
}

export type PluginResult = Status | null;

export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: [] }) as Status;

export function isRejection(s: PluginResult): s is Status {
  return s !== null && (s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable');
}

export function statusMessage(s: Status): string {
  return s.reasons.join(', ');
}
