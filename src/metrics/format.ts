// How metrics-server writes usage and windows: cpu as a nanocore quantity and memory as a BinarySI byte
// quantity, both in upstream's canonical form (k8s.io/apimachinery resource.Quantity.String), and the
// window as a Go time.Duration string.

const DECIMAL_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** A non-negative integer number of nanocores, e.g. 250000000 -> `250m`, 1234567 -> `1234567n`, 0 -> `0`. */
export function formatNanocores(nanocores: number): string {
  let v = Math.max(0, Math.floor(nanocores));
  if (v === 0) return '0';
  const suffixes = ['n', 'u', 'm'];
  for (const s of suffixes) {
    if (v % 1000 !== 0) return `${v}${s}`;
    v /= 1000;
  }
  return decimalSI(v);
}

/**
 * A byte count as a BinarySI quantity: the largest power of 1024 that divides it (`65536` -> `64Ki`), a plain
 * integer when none does (`1234567`), and DecimalSI below 1024 (`1000` -> `1k`), as upstream canonicalises.
 * (core's formatBytes falls back to decimal suffixes for every non-multiple of 1024, e.g. `2000` -> `2k`,
 * where upstream writes `2000`; metrics-server output must match upstream, hence this one.)
 */
export function formatBinaryBytes(bytes: number): string {
  let v = Math.max(0, Math.round(bytes));
  if (v < 1024) return decimalSI(v);
  let exp = 0;
  while (exp < BINARY_SUFFIXES.length - 1 && v % 1024 === 0) {
    v /= 1024;
    exp++;
  }
  return `${v}${BINARY_SUFFIXES[exp]}`;
}

function decimalSI(v: number): string {
  if (v === 0) return '0';
  let exp = 0;
  while (exp < DECIMAL_SUFFIXES.length - 1 && v % 1000 === 0) {
    v /= 1000;
    exp++;
  }
  return `${v}${DECIMAL_SUFFIXES[exp]}`;
}

/** Go's time.Duration.String for a whole number of milliseconds: `15s`, `15.002s`, `1m0s`, `500ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  const total = Math.round(ms);
  if (total === 0) return '0s';
  if (total < 0) return `-${formatGoDuration(-total)}`;
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const millis = total % 60_000;
  const whole = Math.floor(millis / 1000);
  const frac = millis % 1000;
  const seconds = frac === 0 ? `${whole}` : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64), as the Prometheus text format writes sample values. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  // Shortest 'g' switches to an exponent below 1e-4 and from 1e6 (Go: exp < -4 || exp >= 6): `1.3451264e+07`.
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}
