// Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource):
//   <signedNumber><suffix>, suffix = binary SI (Ki..Ei) | decimal SI (n u m "" k M G T P E) | e<int> / E<int>.
// Integer conversions round up, like Quantity.Value() and MilliValue(), and are computed exactly with BigInt.

const QUANTITY_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const BINARY_EXP: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_EXP: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

export class QuantityParseError extends Error {
  constructor(readonly input: string) {
    super(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    this.name = 'QuantityParseError';
  }
}

/** A parsed quantity: value = sign * mantissa * 10^exp10 * 2^exp2, exactly. */
export interface ParsedQuantity {
  negative: boolean;
  mantissa: bigint;
  exp10: number;
  exp2: number;
  /** Whether the suffix was binary SI (Ki, Mi...), which decides how it is formatted back. */
  binary: boolean;
}

export function parseQuantityExact(input: string): ParsedQuantity {
  const m = QUANTITY_RE.exec(input.trim() === input ? input : '');
  if (!m) throw new QuantityParseError(input);
  const [, sign, whole = '', frac, suffix, exponent] = m;
  const fraction = frac ?? '';
  if (whole === '' && fraction === '') throw new QuantityParseError(input);
  if (exponent !== undefined && Math.abs(Number(exponent)) > 1000) throw new QuantityParseError(input);
  let exp10 = -fraction.length;
  let exp2 = 0;
  if (suffix !== undefined) {
    if (suffix in BINARY_EXP) exp2 = BINARY_EXP[suffix]!;
    else exp10 += DECIMAL_EXP[suffix]!;
  } else if (exponent !== undefined) {
    exp10 += Number(exponent);
  }
  return {
    negative: sign === '-',
    mantissa: BigInt(`${whole}${fraction}` || '0'),
    exp10,
    exp2,
    binary: suffix !== undefined && suffix in BINARY_EXP,
  };
}

/** True when `input` is a well-formed Kubernetes quantity. */
export function isQuantity(input: string): boolean {
  try {
    parseQuantityExact(input);
    return true;
  } catch {
    return false;
  }
}

/** The value scaled by 10^scale, rounded up (away from zero), as a number. */
function scaledCeil(q: ParsedQuantity, scale: number): number {
  let num = q.mantissa << BigInt(q.exp2);
  let den = 1n;
  const e = q.exp10 + scale;
  if (e >= 0) num *= 10n ** BigInt(e);
  else den = 10n ** BigInt(-e);
  let result = num / den;
  if (result * den !== num) result += 1n;
  return Number(q.negative ? -result : result);
}

/** Number of base units (cores, bytes, items), possibly fractional: `100m` is 0.1, `1Ki` is 1024. */
export function parseQuantity(input: string): number {
  const q = parseQuantityExact(input);
  const value = Number(q.mantissa) * 10 ** q.exp10 * 2 ** q.exp2;
  return q.negative ? -value : value;
}

/** Integer value rounded up, like Quantity.Value(): `1.5` becomes 2, `128Mi` is 134217728. */
export function parseIntegerQuantity(input: string): number {
  return scaledCeil(parseQuantityExact(input), 0);
}

/** CPU in millicores rounded up, like Quantity.MilliValue(): `0.5` is 500, `100m` is 100. */
export function parseCpuMillis(input: string): number {
  return scaledCeil(parseQuantityExact(input), 3);
}

/** Bytes rounded up: `128Mi` is 134217728, `1G` is 1e9. */
export function parseBytes(input: string): number {
  return scaledCeil(parseQuantityExact(input), 0);
}
