// The CRI container log format: `<RFC3339Nano time> <stream> <F|P> <text>` per line (F: full line,
// P: partial). Pure, so the shim and the tests share it.
import { rfc3339Nano } from '../../core/time.js';

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
