// The Prometheus text exposition format (version 0.0.4), as far as the kubelet's /metrics/resource uses
// it: `# HELP` / `# TYPE` lines and samples `name{label="value",...} value [timestamp-ms]`.
import { formatGoFloat } from './format.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Omit<Sample, 'name'>[];
}

export class PrometheusParseError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'PrometheusParseError';
  }
}

/** Every sample in the text, in order; comments and blank lines are skipped. Throws PrometheusParseError. */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = [];
  let lineNo = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line.length === 0 || line.charCodeAt(0) === 35 /* # */) continue;
    const trimmed = line.trim();
    if (trimmed.length === 0 || trimmed.startsWith('#')) continue;
    out.push(parseSampleLine(trimmed, lineNo));
  }
  return out;
}

function parseSampleLine(line: string, lineNo: number): Sample {
  let i = 0;
  while (i < line.length && isNameChar(line.charCodeAt(i), i === 0)) i++;
  if (i === 0) throw new PrometheusParseError(lineNo, `invalid metric name in ${JSON.stringify(line)}`);
  const name = line.slice(0, i);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const start = i;
      while (i < line.length && isNameChar(line.charCodeAt(i), i === start)) i++;
      const label = line.slice(start, i);
      while (line[i] === ' ') i++;
      const eq = line[i] === '=';
      i++;
      while (line[i] === ' ') i++;
      if (!label || !eq || line[i] !== '"') {
        throw new PrometheusParseError(lineNo, `invalid label in ${JSON.stringify(line)}`);
      }
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new PrometheusParseError(lineNo, 'unterminated label value');
        i++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          value += e === 'n' ? '\n' : (e ?? '');
        } else {
          value += c;
        }
      }
      labels[label] = value;
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new PrometheusParseError(lineNo, `expected , or } in ${JSON.stringify(line)}`);
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') {
    throw new PrometheusParseError(lineNo, `expected a value and an optional timestamp in ${JSON.stringify(line)}`);
  }
  const value = parseValue(rest[0]!);
  if (value === undefined) throw new PrometheusParseError(lineNo, `invalid value ${JSON.stringify(rest[0])}`);
  const sample: Sample = { name, labels, value };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isInteger(ts)) throw new PrometheusParseError(lineNo, `invalid timestamp ${JSON.stringify(rest[1])}`);
    sample.timestampMs = ts;
  }
  return sample;
}

function isNameChar(c: number, first: boolean): boolean {
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58; // A-Z a-z _ :
  return letter || (!first && c >= 48 && c <= 57);
}

function parseValue(s: string): number | undefined {
  if (s === 'NaN') return Number.NaN;
  if (s === '+Inf' || s === 'Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The text for these families, as client_golang writes it (HELP, TYPE, then one line per sample). */
export function formatPrometheusText(families: MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    lines.push(`# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const keys = Object.keys(s.labels);
      const labelText = keys.length ? `{${keys.map((k) => `${k}="${escapeLabelValue(s.labels[k]!)}"`).join(',')}}` : '';
      const ts = s.timestampMs === undefined ? '' : ` ${Math.round(s.timestampMs)}`;
      lines.push(`${f.name}${labelText} ${formatGoFloat(s.value)}${ts}`);
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The Content-Type of the text exposition format (version 0.0.4), as the kubelet and prom-client send it. */
export const PROMETHEUS_TEXT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
