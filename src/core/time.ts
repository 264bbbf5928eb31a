// metav1.Time and metav1.MicroTime wire formats (RFC 3339 in UTC).

/** metav1.Time: RFC 3339 with whole seconds, e.g. `2026-12-01T23:01:50Z`. */
export function rfc3339(t: number | Date): string {
  const ms = typeof t === 'number' ? t : t.getTime();
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** metav1.MicroTime: RFC 3339 with six fractional digits, e.g. `2026-12-01T23:01:50.123000Z`. */
export function rfc3339Micro(t: number | Date): string {
  const ms = typeof t === 'number' ? t : t.getTime();
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}

/** Milliseconds since the epoch of a wire timestamp; undefined when absent or unparseable. */
export function parseTime(t: string | undefined | null): number | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 3339 with nine fractional digits, as CRI writes container log lines. */
export function rfc3339Nano(t: number | Date): string {
  const ms = typeof t === 'number' ? t : t.getTime();
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}
