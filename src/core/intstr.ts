// IntOrString as a count or a share of a total (k8s.io/apimachinery/pkg/util/intstr
// GetScaledValueFromIntOrPercent): rollout budgets, disruption budgets, maxUnavailable.

/** An int as is; "N%" of total, rounded up or down. Throws upstream's error text for anything else. */
export function scaledValueFromIntOrPercent(
  value: number | string | undefined | null,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined || value === null) throw new Error('nil value for IntOrString');
  if (typeof value === 'number') return value;
  if (!value.endsWith('%')) {
    throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  }
  const digits = value.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) {
    throw new Error(
      `invalid value for IntOrString: invalid value ${JSON.stringify(value)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`,
    );
  }
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
