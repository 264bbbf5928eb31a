// One line of a CRI container log file (`2026-11-26T08:40:17.942873202Z stdout F text`): parsing and the
// text kubectl receives for it. `P` marks a partial record (the runtime split a long line); `F` ends one.

export interface CriLogRecord {
  /** RFC 3339 UTC timestamp with exactly nine fractional digits, so records compare as strings. */
  timestamp: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

/** Parses one line (without its trailing newline); undefined for lines that are not CRI records. */
export function parseCriLogLine(line: Buffer): CriLogRecord | undefined {
  const s1 = line.indexOf(0x20);
  if (s1 <= 0) return undefined;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  let s3 = line.indexOf(0x20, s2 + 1);
  if (s3 < 0) s3 = line.length;
  const tag = line.subarray(s2 + 1, s3).toString();
  const timestamp = normalizeTimestamp(line.subarray(0, s1).toString());
  if (!timestamp) return undefined;
  return {
    timestamp,
    stream,
    partial: tag.split(':')[0] === 'P',
    content: s3 < line.length ? line.subarray(s3 + 1) : Buffer.alloc(0),
  };
}

/** The bytes kubectl prints for a record: partial records get no newline; timestamps as kubelet writes them. */
export function formatCriLogRecord(rec: CriLogRecord, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${rec.timestamp} `));
  parts.push(rec.content);
  if (!rec.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** Converts an RFC 3339 time (any fraction length, any offset) to UTC with nine fractional digits. */
export function normalizeTimestamp(ts: string): string | undefined {
  const m = RFC3339.exec(ts);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}
