// The CRI container log format: `<RFC3339Nano time> <stream> <F|P> <text>` per line (F: full line,
// P: partial). Pure, so the shim and the tests share it.

/** Nanosecond RFC 3339 as CRI writes it, e.g. 2025-01-02T03:04:05.123000000Z. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Complete lines of text become F records; an unterminated tail is returned to be continued later. */
export function criLogLines(text: string, stream: 'stdout' | 'stderr', at: Date): { lines: string; rest: string } {
  const parts = text.split('\n');
  const rest = parts.pop() ?? '';
  const time = rfc3339Nano(at);
  let lines = parts.map((p) => `${time} ${stream} F ${p}\n`).join('');
  // A very long line without a newline is flushed as partial records so memory stays bounded.
  if (rest.length > 16 * 1024) {
    lines += `${time} ${stream} P ${rest}\n`;
    return { lines, rest: '' };
  }
  return { lines, rest };
}
