// Renders requirement errors the way upstream's field.ErrorList.ToAggregate().Error() does, because
// the label selector messages a client sees are built from them (`key: Invalid value: "x": ...`).

export interface RequirementError {
  path: string;
  value: string | string[];
  detail: string;
}

/** Go's %q for a string, close enough for label text (quotes and backslashes escaped). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

function goRepr(value: string | string[]): string {
  if (typeof value === 'string') return goQuote(value);
  return `[]string{${value.map(goQuote).join(', ')}}`;
}

export function formatRequirementError(e: RequirementError): string {
  return `${e.path}: Invalid value: ${goRepr(e.value)}: ${e.detail}`;
}

/** One error prints bare; several print as `[a, b]`, like utilerrors.Aggregate. */
export function aggregateMessage(errs: RequirementError[]): string {
  const msgs = errs.map(formatRequirementError);
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
