// Formats numbers back into canonical Kubernetes quantity strings.
import { parseQuantityExact } from './parse.js';

const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const FRACTION_SUFFIXES: Array<[number, string]> = [
  [1e3, 'm'],
  [1e6, 'u'],
  [1e9, 'n'],
];

export type QuantityFormat = 'DecimalSI' | 'BinarySI';

/**
 * Canonical form of `value` base units. BinarySI uses the largest power of 1024 that divides the value
 * exactly (and falls back to decimal like upstream); fractions use m/u/n, rounded up to nano units.
 */
export function formatQuantity(value: number, format: QuantityFormat = 'DecimalSI'): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot format ${value} as a quantity`);
  if (value < 0) return `-${formatQuantity(-value, format)}`;
  if (Number.isInteger(value)) {
    if (format === 'BinarySI' && value >= 1024) {
      const s = largestExactPower(value, 1024, BINARY_SUFFIXES);
      if (s !== undefined) return s;
    }
    return largestExactPower(value, 1000, DECIMAL_SUFFIXES) ?? String(value);
  }
  for (const [factor, suffix] of FRACTION_SUFFIXES) {
    const scaled = value * factor;
    const rounded = Math.round(scaled);
    if (Math.abs(scaled - rounded) < 1e-6 || suffix === 'n') {
      return `${Math.abs(scaled - rounded) < 1e-6 ? rounded : Math.ceil(scaled)}${suffix}`;
    }
  }
  return String(value);
}

function largestExactPower(value: number, base: number, suffixes: string[]): string | undefined {
  if (value === 0) return '0';
  let exp = 0;
  let v = value;
  while (exp < suffixes.length - 1 && v % base === 0) {
    v /= base;
    exp++;
  }
  if (exp === 0 && base === 1024) return undefined;
  return `${v}${suffixes[exp]}`;
}

/** `500` becomes `500m`, `2000` becomes `2`. */
export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** `134217728` becomes `128Mi`; values that are not a multiple of 1024 stay plain. */
export function formatBytes(bytes: number): string {
  return formatQuantity(bytes, 'BinarySI');
}

/**
 * A quantity's canonical text, as Quantity.String() prints it: binary suffixes stay binary (`1.5Gi` is
 * `1536Mi`), everything else decimal (`0.05` is `50m`, `1000m` is `1`). Unparseable text is returned as is.
 */
export function canonicalQuantity(text: string): string {
  try {
    const q = parseQuantityExact(text);
    const value = Number(q.mantissa) * 10 ** q.exp10 * 2 ** q.exp2;
    return formatQuantity(q.negative ? -value : value, q.binary ? 'BinarySI' : 'DecimalSI');
  } catch {
    return text;
  }
}
