// LabelSelector syntax and matching (apimachinery metav1 validation and labels.Selector semantics).
import { type LabelSelectorObject, labelSelectorFromObject } from '../../core/selectors/index.js';
import { type FieldError, field } from '../../core/status.js';
import { arr, invalidEach, obj, str, strMap } from './access.js';
import { isQualifiedName, isValidLabelValue } from '../../core/names.js';
import { validateLabels } from './objectmeta.js';

export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const sel = obj(selector);
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  arr(sel.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const expr = obj(e) ?? {};
    const op = str(expr.operator) ?? '';
    const values = arr(expr.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) {
        errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push(field.invalid(`${p}.operator`, op, 'not a valid selector operator'));
    }
    const k = str(expr.key) ?? '';
    errs.push(...invalidEach(`${p}.key`, k, isQualifiedName(k)));
    values.forEach((v, j) => {
      errs.push(...invalidEach(`${p}.values[${j}]`, v, isValidLabelValue(String(v))));
    });
  });
  return errs;
}

/** Whether a selector has no requirements (matches everything). */
export function isEmptySelector(selector: unknown): boolean {
  const sel = obj(selector) ?? {};
  return Object.keys(strMap(sel.matchLabels)).length === 0 && arr(sel.matchExpressions).length === 0;
}

/**
 * Whether a selector (already validated by the caller) matches the labels, as upstream's workload
 * validation checks its template: a selector that does not convert (invalid operator, key or value) has
 * been reported already, so it is not also reported as a mismatch.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  try {
    return labelSelectorFromObject(selector as LabelSelectorObject).matches(labels);
  } catch {
    return true;
  }
}
