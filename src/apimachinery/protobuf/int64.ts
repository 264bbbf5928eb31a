// protobufjs decodes int64 fields to long.js `Long` objects; JSON wants plain numbers.

interface LongLike {
  low: number;
  high: number;
  toNumber(): number;
}

export function isLongLike(v: unknown): v is LongLike {
  return (
    typeof v === 'object' && v !== null && 'high' in v && 'low' in v && typeof (v as LongLike).toNumber === 'function'
  );
}

/** A number for an int32/int64 value, 0 for anything else (absent fields). */
export function int64ToNumber(v: unknown): number {
  if (isLongLike(v)) return v.toNumber();
  return typeof v === 'number' ? v : 0;
}
